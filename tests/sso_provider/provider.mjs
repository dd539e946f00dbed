// An OpenID Connect provider for Keywarden's single sign-on tests: npm oidc-provider (an
// OpenID-certified implementation) with test users and clients from a JSON file, and a login
// page that a scripted browser (browser.mjs) fills in. Nothing of the protocol is imitated here:
// discovery, keys, codes, PKCE and ID tokens are the library's.
//
//   node provider.mjs --port N --config FILE --ready FILE
// FILE: {"clients": [oidc-provider client metadata...],
//        "users": {"<login>": {"password": "...", "claims": {"sub": "...", "email": ...}}},
//        "claimsInUserInfoOnly": false}
// Writes the issuer URL to the ready file once it listens.
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values } = parseArgs({ options: { port: { type: 'string' }, config: { type: 'string' }, ready: { type: 'string' } } });
const config = JSON.parse(fs.readFileSync(values.config, 'utf8'));
const issuer = `http://127.0.0.1:${values.port}`;
const users = config.users;
const bySubject = new Map(Object.values(users).map((u) => [u.claims.sub, u]));

const provider = new Provider(issuer, {
  clients: config.clients,
  findAccount: async (_ctx, sub) => {
    const user = bySubject.get(sub);
    return user && { accountId: sub, claims: async () => ({ ...user.claims }) };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The claims asked for by scope go into the ID token, as most providers do, unless a test
  // wants them only from the UserInfo endpoint.
  conformIdTokenClaims: Boolean(config.claimsInUserInfoOnly),
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  cookies: { keys: ['keywarden-test-cookie-key'] },
  ttl: { AuthorizationCode: 120, IdToken: 300, AccessToken: 300, Interaction: 300, Session: 3600, Grant: 3600 },
});
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; if (body.length > 65536) reject(new Error('too large')); });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = new URL(req.url, issuer).pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && !match[2]) {
      res.setHeader('Content-Type', 'text/html');
      return res.end(`<form method="post" action="/interaction/${details.uid}/login">` +
        '<input name="login"><input name="password" type="password"><button>Sign in</button></form>');
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const user = users[form.get('login')];
      if (!user || user.password !== form.get('password')) {
        res.statusCode = 401;
        return res.end('wrong login or password');
      }
      const grant = new provider.Grant({ accountId: user.claims.sub, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      return await provider.interactionFinished(req, res,
        { login: { accountId: user.claims.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    }
    res.statusCode = 405;
    res.end();
  } catch (err) {
    res.statusCode = 400;
    res.end(String(err && err.message));
  }
});
// Written whole and then renamed: a reader polling for the file never sees it empty.
server.listen(Number(values.port), '127.0.0.1', () => {
  fs.writeFileSync(`${values.ready}.tmp`, issuer);
  fs.renameSync(`${values.ready}.tmp`, values.ready);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
