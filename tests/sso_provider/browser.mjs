// A scripted browser for Keywarden's single sign-on tests: what the web vault's SSO page and a
// browser do between a client starting a login and its redirect URI receiving the code.
//
//   node browser.mjs --start URL --login L --password P --until PREFIX
// Follows redirects from URL with a cookie jar, signs in at the provider's login page with L and
// P, and stops at the first redirect to a URL starting with PREFIX (the client's redirect URI),
// without requesting it. Prints one JSON line: {"url": ...} when it got there, or
// {"status": N, "url": ..., "body": ...} for the page where it stopped. Every request has a
// deadline.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const jar = new Map();  // host -> Map(name -> value)

function cookieHeader(url) {
  const cookies = jar.get(url.host);
  return cookies ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
}
function keepCookies(url, response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    if (!jar.has(url.host)) jar.set(url.host, new Map());
    jar.get(url.host).set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
}
async function request(url, init = {}) {
  const headers = { ...(init.headers || {}) };
  const cookie = cookieHeader(url);
  if (cookie) headers.cookie = cookie;
  const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(20000) });
  keepCookies(url, response);
  return response;
}

// The browser's walk from `start` to the redirect to `until` (see above).
export async function browse(start, login, password, until) {
  let url = new URL(start);
  let init = {};
  for (let hop = 0; hop < 20; hop++) {
    const response = await request(url, init);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      const next = response.headers.get('location');
      if (next.startsWith(until)) return { url: next };
      url = new URL(next, url);
      continue;
    }
    const body = await response.text();
    if (response.status === 200 && /\/interaction\/[^/]+$/.test(url.pathname)) {
      url = new URL(url.pathname + '/login', url);
      init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
               body: new URLSearchParams({ login, password }).toString() };
      continue;
    }
    return { status: response.status, url: url.toString(), body: body.slice(0, 2000) };
  }
  return { status: 0, url: url.toString(), body: 'too many redirects' };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: {
    start: { type: 'string' }, login: { type: 'string' }, password: { type: 'string' }, until: { type: 'string' },
  } });
  console.log(JSON.stringify(await browse(values.start, values.login, values.password, values.until)));
}
