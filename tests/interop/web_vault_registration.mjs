// An account registered the way the web vault registers one, with Bitwarden's own crypto, then
// used with the unmodified official CLI against the Keywarden server:
//
//  1. `keywarden server serve --dev` (TLS with a throwaway CA, loopback only);
//  2. with @bitwarden/sdk-internal (PureCrypto, the web vault's crypto in WebAssembly): the
//     master key from the KDF, a new user key wrapped under it, an RSA key pair whose private
//     key is wrapped under the user key. The master password hash comes from node:crypto, as the
//     web vault makes it with WebCrypto (the SDK does not expose it);
//  3. POST /identity/accounts/register/send-verification-email, then /register/finish with the
//     body the web vault's registration-finish sends;
//  4. the official CLI (@bitwarden/cli, tests/official_cli): bw config server, bw login,
//     bw sync, bw create item, bw list items;
//  5. back in the SDK: the item the CLI created, as /api/sync returns it, decrypts under the
//     user key made in step 2;
//  6. "trust this device" with the SDK's crypto (PUT /api/devices/{identifier}/keys); the keys
//     the server hands back (retrieve-keys) and the device key alone give back the user key;
//     untrusting clears them.
//
//   KEYWARDEN_CLI=build/release/src/keywarden node tests/interop/web_vault_registration.mjs
//
// Environment: KEYWARDEN_CLI (required), KEYWARDEN_OFFICIAL_CLI (the `bw` script; default
// tests/official_cli/node_modules/.bin/bw). Exit 0 pass, 1 fail, 77 skipped (a prerequisite is
// missing; in CI, the CI variable set, that fails instead: tests/support/skip.h).

import crypto from 'node:crypto';

import {
  check, encodeJson, Failure, findPrograms, kKdf, loadReference, makeAccount, makeBw, registerFinishBody, request,
  skip, startServer, stopServer,
} from './web_vault.mjs';

// ---- the test ----

// ---- trusted devices ----

// "Trust this device" as the web vault's device-trust service does it, with the SDK: a device key
// (kept on the device), an RSA key pair for the device, the user key encapsulated to its public
// key, the public key wrapped by the user key, the private key wrapped by the device key. Then,
// as a later login on that device would: the keys the server hands back, opened with the device
// key alone, give the user key; the device list's public key opens under the user key (what a
// key rotation reads); untrusting clears them.
async function trustThisDevice(P, server, account, accessToken, identifier) {
  const deviceKey = P.make_user_key_aes256_cbc_hmac();
  const devicePrivateKey = P.rsa_generate_keypair();
  const devicePublicKey = P.rsa_extract_public_key(devicePrivateKey);
  const keys = {
    encryptedUserKey: P.encapsulate_key_unsigned(account.userKey, devicePublicKey),
    encryptedPublicKey: P.wrap_encapsulation_key(devicePublicKey, account.userKey),
    encryptedPrivateKey: P.wrap_decapsulation_key(devicePrivateKey, deviceKey),
  };
  const put = await request(server, 'PUT', `/api/devices/${identifier}/keys`, { json: keys, token: accessToken });
  check('PUT /api/devices/{identifier}/keys with the SDK\'s device keys', put.status === 200 &&
    put.json?.isTrusted === true && put.json?.encryptedUserKey === keys.encryptedUserKey, `${put.status} ${put.body}`);

  const retrieved = await request(server, 'POST', `/api/devices/${identifier}/retrieve-keys`, { token: accessToken });
  check('retrieve-keys answers the device\'s keys in camelCase', retrieved.status === 200 &&
    retrieved.json?.object === 'protectedDevice' && typeof retrieved.json?.encryptedUserKey === 'string',
  `${retrieved.status} ${retrieved.body}`);
  const privateKey = P.unwrap_decapsulation_key(keys.encryptedPrivateKey, deviceKey);
  check('the device key and the server\'s keys give back the user key', Buffer.from(
    P.decapsulate_key_unsigned(retrieved.json.encryptedUserKey, privateKey)).equals(Buffer.from(account.userKey)));

  const listed = await request(server, 'GET', '/api/devices', { token: accessToken });
  const device = (listed.json?.data ?? []).find((d) => d.identifier === identifier);
  check('the device list shows the device trusted', device?.isTrusted === true, listed.body);
  check('its public key opens under the user key, as a key rotation reads it', Buffer.from(
    P.unwrap_encapsulation_key(device.encryptedPublicKey, account.userKey)).equals(Buffer.from(devicePublicKey)));

  const untrusted = await request(server, 'POST', '/api/devices/untrust',
    { json: { devices: [device.id] }, token: accessToken });
  check('POST /api/devices/untrust', untrusted.status === 200, `${untrusted.status} ${untrusted.body}`);
  const after = await request(server, 'POST', `/api/devices/${identifier}/retrieve-keys`, { token: accessToken });
  check('an untrusted device gets no keys back', after.status === 200 && after.json?.encryptedUserKey === null,
    after.body);
}

async function main() {
  if (Number(process.versions.node.split('.')[0]) < 20) skip(`node ${process.versions.node} is older than 20`);
  const P = loadReference();
  const { keywarden, bw: bwPath } = findPrograms();
  const server = await startServer(keywarden);
  const bw = makeBw(bwPath, server.caFile);
  try {
    const email = `Web.Vault.${crypto.randomBytes(4).toString('hex')}@Example.com`;
    const password = `correct horse ${crypto.randomBytes(6).toString('base64url')}`;
    const account = makeAccount(P, email, password);
    check('the SDK unwraps the user key it wrapped',
      Buffer.from(P.decrypt_user_key_with_master_password(account.wrappedUserKey, password, email, kKdf))
        .equals(Buffer.from(account.userKey)));

    // Registration: without mail, the server answers the verification token itself.
    const started = await request(server, 'POST', '/identity/accounts/register/send-verification-email',
      { json: { email: account.email, name: 'Web Vault', receiveMarketingEmails: false } });
    check('send-verification-email answers 200 with the token', started.status === 200 &&
      typeof started.json === 'string' && started.json.length > 0, `${started.status} ${started.body}`);
    const finished = await request(server, 'POST', '/identity/accounts/register/finish',
      { json: registerFinishBody(account, started.json) });
    check('register/finish answers 200', finished.status === 200, `${finished.status} ${finished.body}`);

    // The official CLI on that account, with the address as the user typed it.
    await bw.ok(['config', 'server', server.url]);
    const login = await bw.ok(['login', email, password, '--raw']);
    const session = login.out.trim();
    check('bw login prints a session key', session.length > 0);
    const synced = await bw.ok(['sync'], session);
    check('bw sync', synced.out.includes('Syncing complete'), synced.out);
    const item = {
      type: 1, name: 'Registered by the SDK', notes: 'made by bw', favorite: false, reprompt: 0,
      login: { username: 'web-vault', password: 'hunter2 but longer', uris: [] },
    };
    const created = JSON.parse((await bw.ok(['create', 'item', encodeJson(item)], session)).out);
    check('bw create item returns its id', typeof created.id === 'string', JSON.stringify(created));
    await bw.ok(['sync', '--force'], session);
    const listed = JSON.parse((await bw.ok(['list', 'items'], session)).out);
    check('bw list items holds the item, decrypted',
      listed.length === 1 && listed[0].name === item.name && listed[0].login?.password === item.login.password,
      JSON.stringify(listed.map((i) => i.name)));

    // The server's copy decrypts with the SDK under the user key made at registration: the CLI
    // used that key, and the server stored what the CLI sent.
    const deviceIdentifier = crypto.randomUUID();
    const token = await request(server, 'POST', '/identity/connect/token', {
      form: {
        grant_type: 'password', username: account.email, password: account.authHash, scope: 'api offline_access',
        client_id: 'web', deviceType: '9', deviceIdentifier, deviceName: 'chrome',
      },
    });
    check('password grant with the web vault\'s hash', token.status === 200, `${token.status} ${token.body}`);
    const sync = await request(server, 'GET', '/api/sync', { token: token.json.access_token });
    check('GET /api/sync', sync.status === 200, `${sync.status}`);
    check('the profile keeps the wrapped user key registered', sync.json.profile?.key === account.wrappedUserKey);
    const cipher = (sync.json.ciphers ?? []).find((c) => c.id === created.id);
    check('the synced ciphers hold the item', cipher !== undefined);
    const cipherKey = cipher.key ? P.unwrap_symmetric_key(cipher.key, account.userKey) : account.userKey;
    check('the SDK decrypts the item\'s name', P.symmetric_decrypt_string(cipher.name, cipherKey) === item.name);
    check('the SDK decrypts the item\'s password',
      P.symmetric_decrypt_string(cipher.login.password, cipherKey) === item.login.password);

    await trustThisDevice(P, server, account, token.json.access_token, deviceIdentifier);
    console.log('passed');
    return 0;
  } finally {
    bw.cleanup();
    await stopServer(server.child);
  }
}

main().then((code) => process.exit(code), (e) => {
  console.log(`FAIL: ${e instanceof Failure ? e.message : e?.stack ?? e}`);
  process.exit(1);
});
