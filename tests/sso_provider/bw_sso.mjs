// `bw login --sso` of the unmodified official CLI, with everything around it that a person and
// their desktop do (docs member-decryption.md 7.1-7.3):
//  - the CLI opens the web vault's SSO page with xdg-open: a script of that name first in PATH
//    records the URL instead of starting a browser;
//  - the web vault's SSO page: prevalidate the identifier, then send the browser to the server's
//    authorize URL with the CLI's redirect URI, state and PKCE challenge;
//  - the browser: sign in at the provider (browser.mjs) and follow the redirect to the CLI's
//    local listener, which receives the code;
//  - the person at the terminal: the CLI runs under script(1) for a terminal, and Enter answers
//    the Key Connector domain prompt (its first choice, Confirm) when --confirm is given (the
//    prompt's text wraps at the terminal's width, so it is matched in parts).
//
//   node bw_sso.mjs --bw PATH --identifier ID --login L --password P [--confirm] [-- extra bw args]
// The CLI's environment is this process's (BITWARDENCLI_APPDATA_DIR, NODE_EXTRA_CA_CERTS, ...).
// Prints one JSON line: {"exit": code, "output": what the CLI printed, "browser": the walk}.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { browse } from './browser.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  bw: { type: 'string' }, identifier: { type: 'string' }, login: { type: 'string' }, password: { type: 'string' },
  confirm: { type: 'boolean', default: false },
} });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bw-sso-'));
const launched = path.join(dir, 'launched');
fs.writeFileSync(path.join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${launched}.tmp' && mv '${launched}.tmp' '${launched}'\n`,
                 { mode: 0o755 });
const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, BW_NOCOLOR: 'true' };
// The CLI starts a single sign-on login only when it may interact.
delete env.BW_NOINTERACTION;

const quote = (s) => `'${String(s).replaceAll("'", "'\\''")}'`;
const command = [values.bw, 'login', '--sso', values.identifier, ...positionals].map(quote).join(' ');
const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
let output = '';
let answered = false;
const onOutput = (chunk) => {
  output += chunk.toString();
  if (values.confirm && !answered && output.includes('Connector domain') && output.includes('Log out')) {
    answered = true;
    child.stdin.write('\r');
  }
};
child.stdout.on('data', onOutput);
child.stderr.on('data', onOutput);
const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
const deadline = setTimeout(() => child.kill('SIGKILL'), 60000);

// The browser's part, once the CLI has opened the SSO page.
let walk = null;
const started = Date.now();
while (!fs.existsSync(launched) && child.exitCode === null && Date.now() - started < 60000) {
  await new Promise((r) => setTimeout(r, 100));
}
if (fs.existsSync(launched)) {
  const page = new URL(fs.readFileSync(launched, 'utf8'));
  const params = new URLSearchParams(page.hash.slice(page.hash.indexOf('?') + 1));
  const identifier = params.get('identifier');
  const server = page.origin;
  const prevalidated = await fetch(`${server}/identity/sso/prevalidate?domainHint=${encodeURIComponent(identifier)}`,
                                   { signal: AbortSignal.timeout(20000) });
  const { token } = await prevalidated.json();
  let state = params.get('state');
  if (!state.includes('_identifier=')) state += `_identifier=${identifier}`;
  const authorize = `${server}/identity/connect/authorize?` + new URLSearchParams({
    client_id: params.get('clientId'), redirect_uri: params.get('redirectUri'), response_type: 'code',
    scope: 'api offline_access', state, code_challenge: params.get('codeChallenge'), code_challenge_method: 'S256',
    response_mode: 'query', domain_hint: identifier, ssoToken: token,
  });
  walk = await browse(authorize, values.login, values.password, params.get('redirectUri'));
  if (walk.url) {
    const delivered = await fetch(walk.url, { signal: AbortSignal.timeout(20000) });
    walk.delivered = delivered.status;
  }
}
const exit = await exited;
clearTimeout(deadline);
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ exit, output, browser: walk }));
