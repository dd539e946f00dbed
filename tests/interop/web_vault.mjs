// The web vault's side of the interop tests that run against a server: the reference crypto
// (@bitwarden/sdk-internal at its pinned version), `keywarden server serve --dev`, HTTPS requests,
// accounts made and registered as the web vault makes them, and the official CLI in a profile of
// its own. Every wait has a deadline. Used by web_vault_registration.mjs and account_recovery.mjs.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { b64, utf8 } from './harness.mjs';
import { normalizeEmail, passwordHash } from './node_crypto_helpers.mjs';

export const kSkip = 77;
const kPackage = '@bitwarden/sdk-internal';
const kInCi = Boolean(process.env.CI);
const here = path.dirname(fileURLToPath(import.meta.url));
// The web vault's default for a new account (PBKDF2-SHA256, 600,000 iterations).
export const kKdf = { pBKDF2: { iterations: 600000 } };
export const kKdfJson = { kdfType: 0, iterations: 600000, memory: null, parallelism: null };
// Every wait has a deadline: the server's start, each request, each `bw` run.
const kServerStartMs = 60_000;
const kRequestMs = 30_000;
const kBwMs = 120_000;

export function skip(why) {
  if (kInCi) {
    console.log(`FAIL: ${why} (required in CI: the CI environment variable is set)`);
    process.exit(1);
  }
  console.log(`skipped: ${why}`);
  process.exit(kSkip);
}

export class Failure extends Error {}

export function check(what, condition, detail = '') {
  if (!condition) throw new Failure(`${what}${detail ? `: ${detail}` : ''}`);
  console.log(`ok   ${what}`);
}

// The reference at exactly the pinned version (package.json), as the differential tests load it.
export function loadReference() {
  const pinned = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8')).dependencies[kPackage];
  const require = createRequire(path.join(here, 'package.json'));
  let installed;
  try {
    installed = JSON.parse(fs.readFileSync(require.resolve(`${kPackage}/package.json`), 'utf8')).version;
  } catch {
    skip(`${kPackage} is not installed; run "npm install --no-package-lock" in ${here}`);
  }
  if (installed !== pinned) skip(`${kPackage} ${installed} is installed but ${pinned} is pinned; reinstall`);
  return require(kPackage).PureCrypto;
}

export function findPrograms() {
  const keywarden = process.env.KEYWARDEN_CLI;
  if (!keywarden) skip('KEYWARDEN_CLI is not set (path to the keywarden binary)');
  if (!fs.existsSync(keywarden)) skip(`KEYWARDEN_CLI=${keywarden} does not exist; build the keywarden target`);
  const bw = process.env.KEYWARDEN_OFFICIAL_CLI || path.join(here, '..', 'official_cli', 'node_modules', '.bin', 'bw');
  if (!fs.existsSync(bw)) skip(`the official Bitwarden CLI is not installed at ${bw} (scripts/setup installs it)`);
  return { keywarden, bw };
}

// ---- the server ----

// Starts `keywarden server serve --dev` and reads its URL and CA file from the banner.
export function startServer(keywarden) {
  const child = spawn(keywarden, ['server', 'serve', '--dev', '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  // Whatever happens to this script, the server goes with it.
  process.on('exit', () => { if (running(child)) child.kill('SIGKILL'); });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => { err += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Failure(`no banner within ${kServerStartMs} ms; stderr: ${err}`));
    }, kServerStartMs);
    child.on('exit', (code) => reject(new Failure(`the server exited (${code}); stderr: ${err}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /at (https:\/\/localhost:\d+)/.exec(out)?.[1];
      const caFile = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(out)?.[1];
      if (url && caFile && out.includes('bw sync')) {
        clearTimeout(timer);
        resolve({ child, url, caFile, ca: fs.readFileSync(caFile) });
      }
    });
  });
}

export const running = (child) => child.exitCode === null && child.signalCode === null;

// SIGTERM, as an operator stops it (the dev server then removes its folder); at most 15 s.
export async function stopServer(child) {
  if (!running(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  let timer;
  await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(resolve, 15_000); })]);
  clearTimeout(timer);
}

// One HTTPS request to the server, with any extra headers; resolves { status, body, json }.
export function request(server, method, urlPath, { json, form, token, headers: extra } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  let body = null;
  if (json !== undefined) {
    body = JSON.stringify(json);
    headers['Content-Type'] = 'application/json; charset=utf-8';
  } else if (form !== undefined) {
    body = new URLSearchParams(form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  const url = new URL(urlPath, server.url);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: server.ca, timeout: kRequestMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        let parsed = null;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, body: text, json: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Failure(`${method} ${urlPath}: no answer within ${kRequestMs} ms`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

// ---- the web vault's side: keys and the registration request ----

export function makeAccount(P, email, password) {
  const salt = normalizeEmail(email);
  const masterKey = P.derive_kdf_material(utf8(password), utf8(salt), kKdf);
  const authHash = b64(passwordHash(masterKey, password, 1));
  const userKey = P.make_user_key_aes256_cbc_hmac();
  const wrappedUserKey = P.encrypt_user_key_with_master_password(userKey, password, email, kKdf);
  const privateKey = P.rsa_generate_keypair();
  return {
    email: salt,
    password,
    authHash,
    userKey,
    wrappedUserKey,
    publicKey: b64(P.rsa_extract_public_key(privateKey)),
    privateKey,
    encryptedPrivateKey: P.wrap_decapsulation_key(privateKey, userKey),
  };
}

// The register/finish body of the web vault (RegisterFinishRequest with its 2026 fields).
export function registerFinishBody(account, emailVerificationToken) {
  return {
    email: account.email,
    emailVerificationToken,
    masterPasswordHash: account.authHash,
    masterPasswordHint: null,
    userSymmetricKey: account.wrappedUserKey,
    userAsymmetricKeys: { publicKey: account.publicKey, encryptedPrivateKey: account.encryptedPrivateKey },
    masterPasswordAuthentication: {
      salt: account.email, kdf: kKdfJson, masterPasswordAuthenticationHash: account.authHash,
    },
    masterPasswordUnlock: { salt: account.email, kdf: kKdfJson, masterKeyWrappedUserKey: account.wrappedUserKey },
  };
}

// ---- the official CLI ----

export function makeBw(bwPath, caFile) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keywarden-bw-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    BITWARDENCLI_APPDATA_DIR: path.join(home, 'bw'),
    NODE_EXTRA_CA_CERTS: caFile,
    BW_NOINTERACTION: 'true',
    BW_NOCOLOR: 'true',
  };
  const run = (args, session) => new Promise((resolve) => {
    const full = session ? [...args, '--session', session] : args;
    execFile(bwPath, full, { env, timeout: kBwMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? -1) : 0, out: stdout, err: stderr });
    });
  });
  // Succeeds or throws, naming the command (never its secret arguments).
  const ok = async (args, session) => {
    const r = await run(args, session);
    if (r.code !== 0) throw new Failure(`bw ${args[0]} exited ${r.code}: ${r.out}${r.err}`);
    return r;
  };
  return { run, ok, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export const encodeJson = (value) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

// Registers `account` (from makeAccount) as the web vault does: without mail, the server answers
// the verification token itself.
export async function registerAccount(server, account, name = 'Web Vault') {
  const started = await request(server, 'POST', '/identity/accounts/register/send-verification-email',
    { json: { email: account.email, name, receiveMarketingEmails: false } });
  if (started.status !== 200 || typeof started.json !== 'string') {
    throw new Failure(`send-verification-email: ${started.status} ${started.body}`);
  }
  const finished = await request(server, 'POST', '/identity/accounts/register/finish',
    { json: registerFinishBody(account, started.json) });
  if (finished.status !== 200) throw new Failure(`register/finish: ${finished.status} ${finished.body}`);
}

// The web vault's password grant with `hash` (the master password's server hash); the response.
export function webLogin(server, email, hash) {
  return request(server, 'POST', '/identity/connect/token', {
    form: {
      grant_type: 'password', username: email, password: hash, scope: 'api offline_access',
      client_id: 'web', deviceType: '9', deviceIdentifier: crypto.randomUUID(), deviceName: 'chrome',
    },
  });
}
