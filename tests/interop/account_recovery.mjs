// An account recovery performed entirely with Bitwarden's own crypto, against the Keywarden
// server: the SDK (@bitwarden/sdk-internal's PureCrypto) plays the web vault for the member and
// the web admin console for the owner, and the unmodified official CLI is the member's client.
//
//  1. `keywarden server serve --dev`; an owner and a member registered as the web vault does;
//  2. the owner's web vault creates an organisation (its key, its RSA pair), turns on the single
//     organisation and account recovery policies, invites and confirms the member;
//  3. the member's `bw` creates an item; the member's web vault enrols in account recovery (the
//     user key encapsulated to the organisation's public key, with the master password hash);
//  4. the admin console recovers the account: the organisation key from the owner's sync, the
//     organisation's private key from the reset-password details, the member's user key from the
//     enrolment, wrapped under a temporary password with the member's KDF settings and salt;
//     PUT .../recover-account;
//  5. the member's `bw` session has ended; the temporary password logs in (ForcePasswordReset)
//     and its wrapped key opens to the same user key; `bw login` shows its forced-update message;
//  6. the member's web vault replaces the temporary password (update-temp-password); `bw login`
//     and `bw list items` decrypt the item from step 3;
//  7. the organisation's event log holds the recovery (1508) exactly once.
//
//   KEYWARDEN_CLI=build/release/src/keywarden node tests/interop/account_recovery.mjs
//
// Environment and exit codes as web_vault_registration.mjs: 0 pass, 1 fail, 77 skipped (a
// prerequisite is missing; in CI that fails instead). Never prints a key or a password.
import crypto from 'node:crypto';

import { b64, utf8 } from './harness.mjs';
import { passwordHash } from './node_crypto_helpers.mjs';
import {
  check, encodeJson, Failure, findPrograms, kKdf, loadReference, makeAccount, makeBw, registerAccount, request, skip,
  startServer, stopServer, webLogin,
} from './web_vault.mjs';

const kRecovered = 1508;
const kEventsMs = 15_000;

const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));
const sameBytes = (a, b) => Buffer.from(a).equals(Buffer.from(b));

// The SDK's KDF description for settings as the server's JSON gives them.
function sdkKdf(details) {
  if (details.kdf === 0) return { pBKDF2: { iterations: details.kdfIterations } };
  return {
    argon2id: { iterations: details.kdfIterations, memory: details.kdfMemory, parallelism: details.kdfParallelism },
  };
}

// The server hash of `password` under `salt` and `kdf`, as the web clients make it.
function serverHash(P, password, salt, kdf) {
  return b64(passwordHash(P.derive_kdf_material(utf8(password), utf8(salt), kdf), password, 1));
}

async function expectOk(what, response) {
  const r = await response;
  if (r.status !== 200) throw new Failure(`${what}: ${r.status} ${r.body}`);
  return r.json;
}

// A web vault session: the account's token, for API calls.
async function logIn(server, account) {
  const token = await expectOk(`password grant for ${account.email}`, webLogin(server, account.email, account.authHash));
  return token.access_token;
}

// ---- the owner's web vault: an organisation with account recovery ----

async function makeOrganization(P, server, owner, ownerToken) {
  const orgKey = P.make_user_key_aes256_cbc_hmac();
  const orgPrivateKey = P.rsa_generate_keypair();
  const created = await expectOk('POST /api/organizations', request(server, 'POST', '/api/organizations', {
    token: ownerToken,
    json: {
      name: 'Recovered by the SDK',
      billingEmail: owner.email,
      key: P.encapsulate_key_unsigned(orgKey, P.rsa_extract_public_key(owner.privateKey)),
      keys: {
        publicKey: b64(P.rsa_extract_public_key(orgPrivateKey)),
        encryptedPrivateKey: P.wrap_decapsulation_key(orgPrivateKey, orgKey),
      },
      collectionName: P.symmetric_encrypt_string('Default collection', orgKey),
    },
  }));
  const id = created.id;
  for (const [type, data] of [[3, null], [8, { autoEnrollEnabled: false }]]) {
    await expectOk(`policy ${type}`, request(server, 'PUT', `/api/organizations/${id}/policies/${type}`,
      { token: ownerToken, json: { policy: { enabled: true, data } } }));
  }
  return { id, orgKey };
}

async function addMember(P, server, organization, ownerToken, member) {
  await expectOk('invite', request(server, 'POST', `/api/organizations/${organization.id}/users/invite`, {
    token: ownerToken,
    json: { emails: [member.email], type: 2, collections: [], groups: [], accessSecretsManager: false },
  }));
  const entry = await memberEntry(server, ownerToken, organization.id, member.email);
  check('the invited member has accepted (an existing account, no mail)', entry?.status === 1, JSON.stringify(entry));
  const key = await expectOk('member public key', request(server, 'GET', `/api/users/${entry.userId}/public-key`,
    { token: ownerToken }));
  await expectOk('confirm', request(server, 'POST', `/api/organizations/${organization.id}/users/${entry.id}/confirm`, {
    token: ownerToken,
    json: {
      key: P.encapsulate_key_unsigned(organization.orgKey, unb64(key.publicKey)),
      defaultUserCollectionName: P.symmetric_encrypt_string('My Items', organization.orgKey),
    },
  }));
  return { organizationUserId: entry.id, userId: entry.userId };
}

// The member's entry in the organisation's member list, as the owner's admin console reads it.
async function memberEntry(server, ownerToken, organizationId, email) {
  const list = await expectOk('member list', request(server, 'GET', `/api/organizations/${organizationId}/users`,
    { token: ownerToken }));
  return list.data.find((m) => m.email === email);
}

// ---- the admin console's recovery ----

async function recoverAccount(P, server, owner, ownerToken, organizationId, organizationUserId, newPassword) {
  // The organisation key as the owner's web vault holds it: from the sync, under the owner's keys.
  const sync = await expectOk('owner sync', request(server, 'GET', '/api/sync', { token: ownerToken }));
  const ownerUserKey = P.decrypt_user_key_with_master_password(sync.profile.key, owner.password, owner.email, kKdf);
  const ownerPrivateKey = P.unwrap_decapsulation_key(sync.profile.privateKey, ownerUserKey);
  const membership = sync.profile.organizations.find((o) => o.id === organizationId);
  const orgKey = P.decapsulate_key_unsigned(membership.key, ownerPrivateKey);

  const path = `/api/organizations/${organizationId}/users/${organizationUserId}`;
  const details = await expectOk('reset-password-details', request(server, 'GET', `${path}/reset-password-details`,
    { token: ownerToken }));
  check('the details name the member\'s salt', typeof details.masterPasswordSalt === 'string' &&
    details.masterPasswordSalt.length > 0);
  const orgPrivateKey = P.unwrap_decapsulation_key(details.encryptedPrivateKey, orgKey);
  const userKey = P.decapsulate_key_unsigned(details.resetPasswordKey, orgPrivateKey);
  const kdf = sdkKdf(details);
  const salt = details.masterPasswordSalt;
  await expectOk('recover-account', request(server, 'PUT', `${path}/recover-account`, {
    token: ownerToken,
    json: {
      resetMasterPassword: true,
      resetTwoFactor: false,
      newMasterPasswordHash: serverHash(P, newPassword, salt, kdf),
      key: P.encrypt_user_key_with_master_password(userKey, newPassword, salt, kdf),
    },
  }));
  return { userKey, kdf, salt };
}

// How many events of `type` the organisation's log holds, waiting (with a deadline) for at least
// one; then once more a moment later, so that a second copy would be seen.
async function eventCount(server, token, organizationId, type) {
  const count = async () => {
    const events = await expectOk('events', request(server, 'GET', `/api/organizations/${organizationId}/events`,
      { token }));
    return events.data.filter((e) => e.type === type).length;
  };
  const deadline = Date.now() + kEventsMs;
  let n = await count();
  while (n === 0 && Date.now() < deadline) {
    await new Promise((resolve) => { setTimeout(resolve, 200); });
    n = await count();
  }
  await new Promise((resolve) => { setTimeout(resolve, 500); });
  return count();
}

// ---- the test ----

async function main() {
  if (Number(process.versions.node.split('.')[0]) < 20) skip(`node ${process.versions.node} is older than 20`);
  const P = loadReference();
  const { keywarden, bw: bwPath } = findPrograms();
  const server = await startServer(keywarden);
  const bw = makeBw(bwPath, server.caFile);
  try {
    const tag = crypto.randomBytes(4).toString('hex');
    const owner = makeAccount(P, `owner.${tag}@example.com`, `owner password ${crypto.randomBytes(6).toString('hex')}`);
    const member = makeAccount(P, `member.${tag}@example.com`, `member password ${crypto.randomBytes(6).toString('hex')}`);
    await registerAccount(server, owner, 'Owner');
    await registerAccount(server, member, 'Member');
    const ownerToken = await logIn(server, owner);
    const memberToken = await logIn(server, member);

    const organization = await makeOrganization(P, server, owner, ownerToken);
    const membership = await addMember(P, server, organization, ownerToken, member);
    check('the member is confirmed', (await memberEntry(server, ownerToken, organization.id, member.email))?.status === 2);

    // The member's own client, with an item from before.
    await bw.ok(['config', 'server', server.url]);
    const session = (await bw.ok(['login', member.email, member.password, '--raw'])).out.trim();
    const item = {
      type: 1, name: 'Made before the recovery', notes: null, favorite: false, reprompt: 0,
      login: { username: 'member', password: 'an earlier secret', uris: [] },
    };
    await bw.ok(['create', 'item', encodeJson(item)], session);

    // The member's web vault enrols.
    const orgPublicKey = await expectOk('organisation public key', request(server, 'GET',
      `/api/organizations/${organization.id}/public-key`, { token: memberToken }));
    await expectOk('reset-password-enrollment', request(server, 'PUT',
      `/api/organizations/${organization.id}/users/${membership.userId}/reset-password-enrollment`, {
        token: memberToken,
        json: {
          resetPasswordKey: P.encapsulate_key_unsigned(member.userKey, unb64(orgPublicKey.publicKey)),
          masterPasswordHash: member.authHash,
        },
      }));
    check('the member is enrolled in account recovery',
      (await memberEntry(server, ownerToken, organization.id, member.email))?.resetPasswordEnrolled === true);

    // The admin console recovers the account.
    const temporary = `Temporary-${crypto.randomBytes(6).toString('hex')}-Otter-93`;
    const recovered = await recoverAccount(P, server, owner, ownerToken, organization.id,
      membership.organizationUserId, temporary);
    check('the enrolment opened to the member\'s user key', sameBytes(recovered.userKey, member.userKey));
    check('the member\'s KDF settings were kept', recovered.kdf.pBKDF2?.iterations === kKdf.pBKDF2.iterations);

    // The member's session has ended.
    const stale = await bw.run(['sync'], session);
    check('bw sync fails after the recovery', stale.code !== 0, `${stale.out}${stale.err}`);
    await bw.run(['logout']);
    const old = await webLogin(server, member.email, member.authHash);
    check('the old password no longer logs in', old.status === 400, `${old.status}`);

    // The temporary password logs in, flagged, and opens the same user key.
    const temporaryHash = serverHash(P, temporary, recovered.salt, recovered.kdf);
    const token = await expectOk('password grant with the temporary password',
      webLogin(server, member.email, temporaryHash));
    check('the token response says ForcePasswordReset', token.ForcePasswordReset === true);
    const sync = await expectOk('member sync', request(server, 'GET', '/api/sync', { token: token.access_token }));
    check('the profile says forcePasswordReset', sync.profile.forcePasswordReset === true);
    check('the temporary password opens the member\'s user key', sameBytes(
      P.decrypt_user_key_with_master_password(sync.profile.key, temporary, recovered.salt, recovered.kdf),
      member.userKey));
    const forced = await bw.run(['login', member.email, temporary, '--raw']);
    check('bw login shows its forced-update message', forced.code !== 0 &&
      `${forced.out}${forced.err}`.includes('An organization administrator recently changed your master password'),
    `${forced.out}${forced.err}`);

    // The member's web vault replaces the temporary password.
    const final = `Final-${crypto.randomBytes(6).toString('hex')}-Heron-58`;
    await expectOk('update-temp-password', request(server, 'PUT', '/api/accounts/update-temp-password', {
      token: token.access_token,
      json: {
        newMasterPasswordHash: serverHash(P, final, recovered.salt, recovered.kdf),
        key: P.encrypt_user_key_with_master_password(member.userKey, final, recovered.salt, recovered.kdf),
        masterPasswordHint: null,
      },
    }));
    const finalSession = (await bw.ok(['login', member.email, final, '--raw'])).out.trim();
    const listed = JSON.parse((await bw.ok(['list', 'items'], finalSession)).out);
    check('bw list items decrypts the item from before the recovery',
      listed.length === 1 && listed[0].name === item.name && listed[0].login?.password === item.login.password,
      JSON.stringify(listed.map((i) => i.name)));

    const recoveries = await eventCount(server, ownerToken, organization.id, kRecovered);
    check('the organisation\'s event log holds the recovery (1508) exactly once', recoveries === 1, `${recoveries}`);
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
