// The single sign-on side of the interop tests with trusted devices, shared by
// trusted_devices.mjs and device_approval.mjs: the npm OpenID provider (tests/sso_provider) and
// its browser walk, the web vault's SSO login and device trust, and an owner's organisation with
// single sign-on. Every wait has a deadline.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { b64 } from './harness.mjs';
import { check, Failure, request, running, webLogin } from './web_vault.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const kProviderDir = path.join(here, '..', 'sso_provider');
export const kIdentifier = 'trusting';
export const kMemberLogin = 'kim';
export const kMemberEmail = 'kim@example.com';
export const kWaitMs = 60_000;

export const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));
export const sameBytes = (a, b) => Buffer.from(a).equals(Buffer.from(b));

export async function expectOk(what, response) {
  const r = await response;
  if (r.status !== 200) throw new Failure(`${what}: ${r.status} ${r.body}`);
  return r.json;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// ---- the identity provider and the browser (child node processes) ----

export async function startProvider(serverUrl, dir) {
  const config = {
    clients: [{
      client_id: 'keywarden', client_secret: 'provider-secret', redirect_uris: [`${serverUrl}/sso/oidc-signin`],
      token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code'], response_types: ['code'],
    }],
    users: {
      [kMemberLogin]: {
        password: 'pw',
        claims: { sub: 'idp-kim', email: kMemberEmail, email_verified: true, name: 'Kim' },
      },
    },
  };
  const configFile = path.join(dir, 'provider.json');
  const ready = path.join(dir, 'provider.ready');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(kProviderDir, 'provider.mjs'), '--port', String(port),
    '--config', configFile, '--ready', ready], { stdio: ['ignore', 'ignore', 'pipe'] });
  process.on('exit', () => { if (running(child)) child.kill('SIGKILL'); });
  let err = '';
  child.stderr.on('data', (chunk) => { err += chunk; });
  const deadline = Date.now() + kWaitMs;
  while (!fs.existsSync(ready)) {
    if (!running(child) || Date.now() > deadline) throw new Failure(`the OpenID provider did not start: ${err}`);
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  return { child, issuer: fs.readFileSync(ready, 'utf8').trim() };
}

// The browser's walk (tests/sso_provider/browser.mjs) from `start` to the redirect to `until`,
// in a node that trusts the server's private CA.
export function browse(server, start, until) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(kProviderDir, 'browser.mjs'), '--start', start,
      '--login', kMemberLogin, '--password', 'pw', '--until', until],
    { env: { ...process.env, NODE_EXTRA_CA_CERTS: server.caFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), kWaitMs);
    child.on('exit', () => {
      clearTimeout(timer);
      try { resolve(JSON.parse(out)); } catch { reject(new Failure(`the browser failed: ${out}${err}`)); }
    });
  });
}

// ---- the web vault ----

// A device as the web vault keeps it: its identifier, and its device key once trusted.
export function makeDevice(name) {
  return { name, identifier: crypto.randomUUID(), deviceKey: null };
}

// The web vault's SSO login on `device`: prevalidate, authorize with PKCE, the provider, then the
// authorization_code grant. Resolves the token response.
export async function ssoLogin(server, device) {
  const pre = await expectOk('prevalidate', request(server, 'GET',
    `/identity/sso/prevalidate?domainHint=${kIdentifier}`));
  const verifier = crypto.randomBytes(48).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = `${server.url}/sso-connector.html`;
  const state = `${crypto.randomBytes(24).toString('base64url')}_identifier=${kIdentifier}`;
  const authorize = `${server.url}/identity/connect/authorize?${new URLSearchParams({
    client_id: 'web', redirect_uri: redirectUri, response_type: 'code', scope: 'api offline_access', state,
    code_challenge: challenge, code_challenge_method: 'S256', response_mode: 'query', domain_hint: kIdentifier,
    ssoToken: pre.token,
  })}`;
  const walk = await browse(server, authorize, redirectUri);
  check(`${device.name}: the provider sends the browser back to sso-connector.html`, typeof walk.url === 'string',
    JSON.stringify(walk));
  const back = new URL(walk.url);
  check(`${device.name}: the client's own state comes back`, back.searchParams.get('state') === state);
  return expectOk(`${device.name}: authorization_code grant`, request(server, 'POST', '/identity/connect/token', {
    form: {
      grant_type: 'authorization_code', code: back.searchParams.get('code'), code_verifier: verifier,
      redirect_uri: redirectUri, scope: 'api offline_access', client_id: 'web', deviceType: '9',
      deviceIdentifier: device.identifier, deviceName: 'chrome',
    },
  }));
}

// "Remember this device": a device key and an RSA pair, the three keys the server keeps.
export async function trustDevice(P, server, token, device, userKey) {
  const deviceKey = P.make_user_key_aes256_cbc_hmac();
  const devicePrivateKey = P.rsa_generate_keypair();
  const devicePublicKey = P.rsa_extract_public_key(devicePrivateKey);
  const trusted = await expectOk(`${device.name}: PUT /devices/{identifier}/keys`, request(server, 'PUT',
    `/api/devices/${device.identifier}/keys`, {
      token,
      json: {
        encryptedUserKey: P.encapsulate_key_unsigned(userKey, devicePublicKey),
        encryptedPublicKey: P.wrap_encapsulation_key(devicePublicKey, userKey),
        encryptedPrivateKey: P.wrap_decapsulation_key(devicePrivateKey, deviceKey),
      },
    }));
  check(`${device.name}: the server reports the device trusted`, trusted.isTrusted === true, JSON.stringify(trusted));
  device.deviceKey = deviceKey;
}

// What the client does with TrustedDeviceOption: the device key opens the device's private key,
// which opens the user key.
export function unlockWithDevice(P, option, device) {
  const privateKey = P.unwrap_decapsulation_key(option.EncryptedPrivateKey, device.deviceKey);
  return P.decapsulate_key_unsigned(option.EncryptedUserKey, privateKey);
}

export async function ownerToken(server, owner) {
  return (await expectOk('owner login', webLogin(server, owner.email, owner.authHash))).access_token;
}

export async function memberEntry(server, token, organizationId) {
  const list = await expectOk('member list', request(server, 'GET', `/api/organizations/${organizationId}/users`,
    { token }));
  return list.data.find((m) => m.email === kMemberEmail);
}

export async function makeOrganization(P, server, owner, token, issuer) {
  const orgKey = P.make_user_key_aes256_cbc_hmac();
  const orgPrivateKey = P.rsa_generate_keypair();
  const created = await expectOk('POST /api/organizations', request(server, 'POST', '/api/organizations', {
    token,
    json: {
      name: 'Trusting Inc',
      billingEmail: owner.email,
      key: P.encapsulate_key_unsigned(orgKey, unb64(owner.publicKey)),
      keys: {
        publicKey: b64(P.rsa_extract_public_key(orgPrivateKey)),
        encryptedPrivateKey: P.wrap_decapsulation_key(orgPrivateKey, orgKey),
      },
      collectionName: P.symmetric_encrypt_string('Default collection', orgKey),
    },
  }));
  const organization = { id: created.id, orgKey, orgPrivateKey };
  await setDecryption(server, token, organization, issuer, 2);
  return organization;
}

// The admin console's single sign-on page: OpenID Connect with `memberDecryptionType`.
export function setDecryption(server, token, organization, issuer, memberDecryptionType) {
  return expectOk(`SSO configuration (member decryption ${memberDecryptionType})`, request(server, 'POST',
    `/api/organizations/${organization.id}/sso`, {
      token,
      json: {
        enabled: true,
        identifier: kIdentifier,
        data: {
          configType: 1, memberDecryptionType, authority: issuer, clientId: 'keywarden',
          clientSecret: 'provider-secret', redirectBehavior: 0, getClaimsFromUserInfoEndpoint: false,
        },
      },
    }));
}

export async function policyEnabled(server, token, organizationId, type) {
  const policy = await expectOk(`policy ${type}`, request(server, 'GET',
    `/api/organizations/${organizationId}/policies/${type}`, { token }));
  return policy.enabled === true ? policy : null;
}

