// Login with device through the notification hubs, played with Microsoft's own SignalR client
// (@microsoft/signalr, MessagePack from @microsoft/signalr-protocol-msgpack, skipNegotiation and
// WebSockets, as Bitwarden's clients connect) and Bitwarden's crypto (@bitwarden/sdk-internal)
// against `keywarden server serve --dev`:
//   1. Microsoft's client connects to both hubs: the user hub with the bearer token (Node sends it
//      in the Authorization header) in MessagePack and in JSON, the anonymous hub by Token.
//   2. Login with device between two devices of one member: device B, known to the server and
//      logged out, creates an auth request (its own RSA key pair and access code, as the clients
//      make them) and waits on the anonymous hub; device A, signed in on the user hub, receives
//      AuthRequest (15), reads the request and approves it with the user key encrypted to B's
//      public key; B receives AuthRequestResponseRecieved, fetches the response with its access
//      code, recovers the user key, checks it opens A's data, and logs in with the authRequest
//      password grant.
//   3. An idle connection outlives the client's 30 s server timeout (the hub's pings).
//   4. Admin approval: a member of an organisation with trusted devices, enrolled in account
//      recovery, logs in with single sign-on (the npm OpenID provider) on a new device, creates
//      an admin request (type 2) and waits on the anonymous hub; the owner recovers the member's
//      user key from the enrolment with the organisation's private key and approves, encrypting
//      it to the request's public key; the device receives AuthRequestResponseRecieved, fetches
//      the response, recovers the user key, opens the member's data and trusts itself.
// Steps 2 and 4 need the push feed delivering the outbox to the hub (server/notifications/push_feed).
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import os from 'node:os';

import { b64, unb64 } from './harness.mjs';
import {
  kMemberEmail, kProviderDir, makeDevice, makeOrganization, memberEntry, ownerToken, sameBytes, ssoLogin,
  startProvider, trustDevice,
} from './sso_member.mjs';
import {
  Failure, check, loadReference, makeAccount, registerAccount, request, running, skip, startServer, stopServer,
} from './web_vault.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
// How long a push may take to arrive: the feed's poll plus delivery, with room for a loaded machine.
const kPushMs = 15_000;
// Longer than the SignalR client's 30 s server timeout.
const kIdleMs = 35_000;

function loadSignalR() {
  try {
    const signalR = require('@microsoft/signalr');
    const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');
    const WebSocketImpl = require('ws');
    return { signalR, MessagePackHubProtocol, WebSocketImpl };
  } catch {
    return skip(`@microsoft/signalr is not installed; run "npm install --no-package-lock" in ${here}`);
  }
}

// A hub connection as Bitwarden's clients build it; `ca` is trusted for the dev server's TLS.
function hubConnection(S, server, hubPath, { token, json = false } = {}) {
  // The dev server's certificate is signed by its own CA: ws takes it in its options.
  class TrustingWebSocket extends S.WebSocketImpl {
    constructor(url, protocols, options) { super(url, protocols, { ...options, ca: server.ca }); }
  }
  const options = { skipNegotiation: true, transport: S.signalR.HttpTransportType.WebSockets, WebSocket: TrustingWebSocket };
  if (token) options.accessTokenFactory = () => token;
  let builder = new S.signalR.HubConnectionBuilder().withUrl(`${server.url}/notifications${hubPath}`, options)
    .configureLogging(S.signalR.LogLevel.Warning);
  if (!json) builder = builder.withHubProtocol(new S.MessagePackHubProtocol());
  return builder.build();
}

// Resolves with the first argument `target` brings on `connection`, or fails after kPushMs.
function nextMessage(connection, target, accept = () => true) {
  const arrived = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Failure(
      `no ${target} within ${kPushMs} ms (is the push feed delivering to the hub?)`)), kPushMs);
    const handler = (data) => {
      if (!accept(data)) return;
      clearTimeout(timer);
      connection.off(target, handler);
      resolve(data);
    };
    connection.on(target, handler);
  });
  arrived.catch(() => {});  // awaited later, maybe after another wait has failed
  return arrived;
}

const field = (object, name) => object?.[name] ?? object?.[name[0].toLowerCase() + name.slice(1)];

async function expectOk(what, pending) {
  const response = await pending;
  if (response.status !== 200) throw new Failure(`${what}: ${response.status} ${response.body}`);
  return response.json;
}

function passwordLogin(server, account, deviceIdentifier) {
  return request(server, 'POST', '/identity/connect/token', {
    form: {
      grant_type: 'password', username: account.email, password: account.authHash, scope: 'api offline_access',
      client_id: 'web', deviceType: '9', deviceIdentifier, deviceName: 'chrome',
    },
  });
}

// Step 4; `S` the SignalR packages, `dir` a scratch folder.
async function adminApproval(P, S, server, dir, open) {
  const provider = await startProvider(server.url, dir);
  try {
    const owner = makeAccount(P, `owner.${crypto.randomBytes(4).toString('hex')}@example.com`,
      `owner password ${crypto.randomBytes(6).toString('hex')}`);
    await registerAccount(server, owner, 'Owner');
    const adminToken = await ownerToken(server, owner);
    const organization = await makeOrganization(P, server, owner, adminToken, provider.issuer);

    // The member's first login (device A): keys, enrolment in account recovery, confirmed.
    const deviceA = makeDevice('device A');
    const first = await ssoLogin(server, deviceA);
    const tokenA = first.access_token;
    const userKey = P.make_user_key_aes256_cbc_hmac();
    const privateKey = P.rsa_generate_keypair();
    await expectOk('POST /accounts/keys', request(server, 'POST', '/api/accounts/keys', {
      token: tokenA,
      json: {
        publicKey: b64(P.rsa_extract_public_key(privateKey)),
        encryptedPrivateKey: P.wrap_decapsulation_key(privateKey, userKey),
      },
    }));
    const orgKeys = await expectOk('organisation keys', request(server, 'GET',
      `/api/organizations/${organization.id}/keys`, { token: tokenA }));
    const profile = await expectOk('profile', request(server, 'GET', '/api/accounts/profile', { token: tokenA }));
    await expectOk('reset-password-enrollment', request(server, 'PUT',
      `/api/organizations/${organization.id}/users/${profile.id}/reset-password-enrollment`, {
        token: tokenA,
        json: { resetPasswordKey: P.encapsulate_key_unsigned(userKey, unb64(orgKeys.publicKey)), masterPasswordHash: null },
      }));
    await trustDevice(P, server, tokenA, deviceA, userKey);
    const member = await memberEntry(server, adminToken, organization.id);
    await expectOk('the owner confirms the member', request(server, 'POST',
      `/api/organizations/${organization.id}/users/${member.id}/confirm`, {
        token: adminToken,
        json: { key: P.encapsulate_key_unsigned(organization.orgKey, P.rsa_extract_public_key(privateKey)) },
      }));
    const secret = `the member's folder ${crypto.randomBytes(4).toString('hex')}`;
    await expectOk('device A makes a folder', request(server, 'POST', '/api/folders', {
      token: tokenA, json: { name: P.symmetric_encrypt_string(secret, userKey) },
    }));

    // A new device: single sign-on, then an admin request as the web client makes it.
    const deviceC = makeDevice('device C');
    const login = await ssoLogin(server, deviceC);
    const option = login.UserDecryptionOptions?.TrustedDeviceOption;
    check('device C: not trusted, admin approval offered', option?.HasAdminApproval === true &&
      !option.EncryptedUserKey, JSON.stringify(login.UserDecryptionOptions));
    const requesterKey = P.rsa_generate_keypair();
    const requesterPublic = P.rsa_extract_public_key(requesterKey);
    const accessCode = crypto.randomBytes(25).toString('base64url').slice(0, 25);
    const created = await expectOk('device C: POST /auth-requests/admin-request', request(server, 'POST',
      '/api/auth-requests/admin-request', {
        token: login.access_token,
        headers: { 'Device-Type': '9' },
        json: {
          email: kMemberEmail, publicKey: b64(requesterPublic), deviceIdentifier: deviceC.identifier, accessCode,
          type: 2,
        },
      }));
    const anonymousHub = hubConnection(S, server, `/anonymous-hub?Token=${created.id}`);
    open.push(anonymousHub);
    await anonymousHub.start();
    const answered = nextMessage(anonymousHub, 'AuthRequestResponseRecieved');

    // The owner: the member's user key from the enrolment, encrypted to the request's key.
    const pending = await expectOk('the owner lists pending requests', request(server, 'GET',
      `/api/organizations/${organization.id}/auth-requests`, { token: adminToken }));
    const entry = pending.data.find((r) => r.id === created.id);
    check('the owner sees the request', Boolean(entry), JSON.stringify(pending));
    const details = await expectOk('reset-password-details', request(server, 'GET',
      `/api/organizations/${organization.id}/users/${member.id}/reset-password-details`, { token: adminToken }));
    const recoveredByOwner = P.decapsulate_key_unsigned(details.resetPasswordKey, organization.orgPrivateKey);
    check('the enrolment opens to the member\'s user key', sameBytes(recoveredByOwner, userKey));
    const approve = await request(server, 'POST', `/api/organizations/${organization.id}/auth-requests/${created.id}`, {
      token: adminToken,
      json: {
        requestApproved: true,
        encryptedUserKey: P.encapsulate_key_unsigned(recoveredByOwner, unb64(entry.publicKey)),
      },
    });
    check('the owner approves', approve.status === 200, `${approve.status} ${approve.body}`);

    const response = await answered;
    check('device C receives AuthRequestResponseRecieved for its admin request',
      field(field(response, 'Payload'), 'Id') === created.id, JSON.stringify(response));
    const approved = await expectOk('device C fetches the response', request(server, 'GET',
      `/api/auth-requests/${created.id}/response?code=${encodeURIComponent(accessCode)}`));
    const recovered = P.decapsulate_key_unsigned(approved.key, requesterKey);
    check('device C recovers the member\'s user key', sameBytes(recovered, userKey));
    const synced = await expectOk('device C syncs', request(server, 'GET', '/api/sync', { token: login.access_token }));
    check('the user key opens the member\'s data', synced.folders?.some((f) =>
      P.symmetric_decrypt(f.name, recovered) === secret), JSON.stringify(synced.folders));
    await trustDevice(P, server, login.access_token, deviceC, recovered);
  } finally {
    if (running(provider.child)) provider.child.kill('SIGTERM');
  }
}

async function main() {
  const keywarden = process.env.KEYWARDEN_CLI;
  if (!keywarden || !fs.existsSync(keywarden)) skip('KEYWARDEN_CLI is not set to the built keywarden binary');
  const P = loadReference();
  const S = loadSignalR();
  const server = await startServer(keywarden);
  const open = [];
  try {
    const account = makeAccount(P, `member-${crypto.randomBytes(3).toString('hex')}@example.com`,
      'correct horse battery staple');
    await registerAccount(server, account);
    const deviceA = crypto.randomUUID();
    const deviceB = crypto.randomUUID();
    const loginA = await expectOk('device A logs in', passwordLogin(server, account, deviceA));
    // Device B has logged in before (only known devices may ask), and is now logged out.
    await expectOk('device B logs in once', passwordLogin(server, account, deviceB));
    const profile = await expectOk('profile', request(server, 'GET', '/api/accounts/profile',
      { token: loginA.access_token }));
    const secret = `a note only the member reads ${crypto.randomBytes(4).toString('hex')}`;
    const sealed = P.symmetric_encrypt_string(secret, account.userKey);

    // 1. Microsoft's client on both hubs, both protocols.
    const userHub = hubConnection(S, server, '/hub', { token: loginA.access_token });
    open.push(userHub);
    await userHub.start();
    check('device A: the user hub accepts Microsoft\'s client (MessagePack, bearer header)',
      userHub.state === S.signalR.HubConnectionState.Connected);
    const jsonHub = hubConnection(S, server, '/hub', { token: loginA.access_token, json: true });
    open.push(jsonHub);
    await jsonHub.start();
    check('the user hub accepts the JSON protocol', jsonHub.state === S.signalR.HubConnectionState.Connected);
    const refused = hubConnection(S, server, '/hub', { token: 'not-a-token' });
    let refusal = null;
    await refused.start().catch((e) => { refusal = e; });
    // The client only reports that the WebSocket failed; the server's 401 is checked by hub_test.cc.
    check('the user hub refuses a bad token', refusal !== null &&
      refused.state === S.signalR.HubConnectionState.Disconnected, String(refusal));

    // 2. Login with device: B asks, A approves, B waits on the anonymous hub.
    const requesterKey = P.rsa_generate_keypair();
    const requesterPublic = P.rsa_extract_public_key(requesterKey);
    const accessCode = crypto.randomBytes(25).toString('base64url').slice(0, 25);
    const pushedToA = nextMessage(userHub, 'ReceiveMessage', (d) => field(d, 'Type') === 15);
    const pushedToJson = nextMessage(jsonHub, 'ReceiveMessage', (d) => field(d, 'Type') === 15);
    const created = await expectOk('device B creates an auth request', request(server, 'POST', '/api/auth-requests', {
      headers: { 'Device-Type': '9' },
      json: { email: account.email, publicKey: b64(requesterPublic), deviceIdentifier: deviceB, accessCode, type: 0 },
    }));
    const anonymousHub = hubConnection(S, server, `/anonymous-hub?Token=${created.id}`);
    open.push(anonymousHub);
    await anonymousHub.start();
    check('device B: the anonymous hub accepts Microsoft\'s client', anonymousHub.state ===
      S.signalR.HubConnectionState.Connected);
    const answered = nextMessage(anonymousHub, 'AuthRequestResponseRecieved');

    const push = await pushedToA;
    const payload = field(push, 'Payload');
    check('device A receives AuthRequest (15) for its user and the request',
      field(payload, 'UserId') === profile.id && field(payload, 'Id') === created.id, JSON.stringify(push));
    const jsonPush = await pushedToJson;
    check('the JSON client receives it too, camelCase', jsonPush.type === 15 && jsonPush.payload?.id === created.id,
      JSON.stringify(jsonPush));
    const pending = await expectOk('device A reads the request', request(server, 'GET',
      `/api/auth-requests/${created.id}`, { token: loginA.access_token }));
    check('the request carries B\'s public key', pending.publicKey === b64(requesterPublic));
    await expectOk('device A approves', request(server, 'PUT', `/api/auth-requests/${created.id}`, {
      token: loginA.access_token,
      json: {
        key: P.encapsulate_key_unsigned(account.userKey, unb64(pending.publicKey)),
        masterPasswordHash: null, deviceIdentifier: deviceA, requestApproved: true,
      },
    }));
    const response = await answered;
    check('device B receives AuthRequestResponseRecieved for its request',
      field(field(response, 'Payload'), 'Id') === created.id && field(response, 'Type') === 16,
      JSON.stringify(response));
    const approved = await expectOk('device B fetches the response', request(server, 'GET',
      `/api/auth-requests/${created.id}/response?code=${encodeURIComponent(accessCode)}`));
    check('the response is approved', approved.requestApproved === true);
    const recovered = P.decapsulate_key_unsigned(approved.key, requesterKey);
    check('device B recovers the user key, which opens A\'s data',
      P.symmetric_decrypt(sealed, recovered) === secret);
    const loginB = await request(server, 'POST', '/identity/connect/token', {
      form: {
        grant_type: 'password', username: account.email, password: accessCode, scope: 'api offline_access',
        client_id: 'web', deviceType: '9', deviceIdentifier: deviceB, deviceName: 'chrome', authRequest: created.id,
      },
    });
    check('device B logs in with the authRequest grant', loginB.status === 200 && loginB.json?.access_token,
      `${loginB.status} ${loginB.body}`);

    // 3. The client's server timeout is 30 s; the hub's pings keep an idle connection open past it.
    let closed = null;
    userHub.onclose((e) => { closed = e ?? 'closed'; });
    await new Promise((resolve) => { setTimeout(resolve, kIdleMs); });
    check(`an idle user hub connection is still open after ${kIdleMs / 1000} s`, closed === null &&
      userHub.state === S.signalR.HubConnectionState.Connected, String(closed));

    // 4. Admin approval, when the OpenID provider is installed.
    if (!fs.existsSync(path.join(kProviderDir, 'node_modules', 'oidc-provider'))) {
      skip(`npm oidc-provider is not installed in ${kProviderDir} (scripts/setup installs it)`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywarden-approval-'));
    try {
      await adminApproval(P, S, server, dir, open);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log('passed');
    return 0;
  } finally {
    for (const connection of open) await connection.stop().catch(() => {});
    await stopServer(server.child);
  }
}

main().then((code) => process.exit(code), (e) => {
  console.log(`FAIL: ${e instanceof Failure ? e.message : e?.stack ?? e}`);
  process.exit(1);
});
