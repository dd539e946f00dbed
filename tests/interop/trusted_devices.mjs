// Trusted devices end to end, with Bitwarden's own crypto (@bitwarden/sdk-internal's PureCrypto)
// playing the web vault, against the Keywarden server and a real OpenID Connect provider (npm
// oidc-provider, tests/sso_provider). The official CLI refuses trusted-device accounts, so the
// web vault's steps are played here, each request as the web client sends it (docs
// member-decryption.md 1.3-1.5):
//
//  1. `keywarden server serve --dev` and the provider; an owner's organisation whose single
//     sign-on uses trusted devices, which turns on the single organisation, require single
//     sign-on and automatically enrolling account recovery policies;
//  2. a new member's first SSO login on device A (client web, redirect to sso-connector.html,
//     PKCE): provisioned without keys; the token response has TrustedDeviceOption and no key;
//  3. the login-decryption-options page for a new user: auto-enroll-status, POST /accounts/keys,
//     enrolment in account recovery with the organisation's public key, and "remember this
//     device": PUT /devices/{identifier}/keys with a device key pair; the owner confirms;
//  4. an item stored under the new user key;
//  5. the next login on device A unlocks from the token response alone (device key ->
//     device private key -> user key), and decrypts the item; a login on device B gets no
//     device keys but learns that a login-approving device and admin approval exist;
//  6. device A is untrusted (POST /devices/untrust): its next login carries no keys, and the
//     client reports the lost trust (POST /devices/lost-trust);
//  7. devices A and B trusted; the organisation leaves trusted devices for master passwords:
//     the SSO login says IsTdeOffboarding with the device's keys, and the member sets a master
//     password (PUT /accounts/update-tde-offboarding-password);
//  8. back on trusted devices, the member changes that password and update-trust re-wraps
//     device A's keys: A still unlocks, B (not listed) is no longer trusted;
//  9. the web vault rotates the user key (rotate-user-account-keys): one leaving the item out is
//     refused; afterwards device A opens the new key and so does the recovery enrolment;
// 10. master passwords again, the require single sign-on policy off: the unmodified `bw login`
//     and `bw list items` decrypt the item.
//
//   KEYWARDEN_CLI=build/release/src/keywarden node tests/interop/trusted_devices.mjs
//
// Exit codes as the other interop tests: 0 pass, 1 fail, 77 skipped (a prerequisite is missing;
// in CI that fails instead). Never prints a key or a password.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { b64, utf8 } from './harness.mjs';
import { passwordHash } from './node_crypto_helpers.mjs';
import {
  expectOk, kIdentifier, kMemberEmail, kProviderDir, makeDevice, makeOrganization, memberEntry, ownerToken,
  policyEnabled, sameBytes, setDecryption, ssoLogin, startProvider, trustDevice, unb64, unlockWithDevice,
} from './sso_member.mjs';
import {
  check, Failure, findPrograms, loadReference, makeAccount, makeBw, registerAccount, request, running, skip,
  startServer, stopServer,
} from './web_vault.mjs';

// ---- the test ----

async function main() {
  if (Number(process.versions.node.split('.')[0]) < 20) skip(`node ${process.versions.node} is older than 20`);
  const P = loadReference();
  const { keywarden, bw: bwPath } = findPrograms();
  if (!fs.existsSync(path.join(kProviderDir, 'node_modules', 'oidc-provider'))) {
    skip(`npm oidc-provider is not installed in ${kProviderDir} (scripts/setup installs it)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywarden-tde-'));
  const server = await startServer(keywarden);
  const bw = makeBw(bwPath, server.caFile);
  let provider = null;
  try {
    provider = await startProvider(server.url, dir);

    // 1. The owner's organisation, single sign-on with trusted devices.
    const tag = crypto.randomBytes(4).toString('hex');
    const owner = makeAccount(P, `owner.${tag}@example.com`, `owner password ${crypto.randomBytes(6).toString('hex')}`);
    await registerAccount(server, owner, 'Owner');
    const adminToken = await ownerToken(server, owner);
    const organization = await makeOrganization(P, server, owner, adminToken, provider.issuer);
    check('trusted devices turned on the single organisation policy',
      Boolean(await policyEnabled(server, adminToken, organization.id, 3)));
    check('trusted devices turned on the require single sign-on policy',
      Boolean(await policyEnabled(server, adminToken, organization.id, 4)));
    const recovery = await policyEnabled(server, adminToken, organization.id, 8);
    check('trusted devices turned on account recovery with automatic enrolment',
      recovery?.data?.autoEnrollEnabled === true, JSON.stringify(recovery));

    // 2. The member's first login, on device A.
    const deviceA = makeDevice('device A');
    const first = await ssoLogin(server, deviceA);
    const firstOption = first.UserDecryptionOptions?.TrustedDeviceOption;
    check('a new member has no user key yet', first.Key === undefined || first.Key === null);
    check('and no master password', first.UserDecryptionOptions?.HasMasterPassword === false);
    check('TrustedDeviceOption: no admin approval (not enrolled), no device keys',
      firstOption?.HasAdminApproval === false && firstOption.EncryptedUserKey === undefined &&
      firstOption.IsTdeOffboarding === false, JSON.stringify(first.UserDecryptionOptions));
    check('the member is Invited until keys are set',
      (await memberEntry(server, adminToken, organization.id))?.status === 0);

    // 3. The login-decryption-options page, for a new user.
    let token = first.access_token;
    const status = await expectOk('auto-enroll-status', request(server, 'GET',
      `/api/organizations/${kIdentifier}/auto-enroll-status`, { token }));
    check('auto-enroll-status names the organisation, enrolment required',
      status.id === organization.id && status.resetPasswordEnabled === true, JSON.stringify(status));
    const userKey = P.make_user_key_aes256_cbc_hmac();
    const privateKey = P.rsa_generate_keypair();
    await expectOk('POST /accounts/keys', request(server, 'POST', '/api/accounts/keys', {
      token,
      json: {
        publicKey: b64(P.rsa_extract_public_key(privateKey)),
        encryptedPrivateKey: P.wrap_decapsulation_key(privateKey, userKey),
      },
    }));
    const again = await request(server, 'POST', '/api/accounts/keys', {
      token, json: { publicKey: b64(P.rsa_extract_public_key(privateKey)), encryptedPrivateKey: 'x' },
    });
    check('a second POST /accounts/keys is refused', again.status === 400 &&
      again.body.includes('User has existing keypair'), `${again.status} ${again.body}`);
    const orgKeys = await expectOk('organisation keys', request(server, 'GET',
      `/api/organizations/${organization.id}/keys`, { token }));
    const profile = await expectOk('profile', request(server, 'GET', '/api/accounts/profile', { token }));
    await expectOk('reset-password-enrollment', request(server, 'PUT',
      `/api/organizations/${organization.id}/users/${profile.id}/reset-password-enrollment`, {
        token,
        json: {
          resetPasswordKey: P.encapsulate_key_unsigned(userKey, unb64(orgKeys.publicKey)),
          masterPasswordHash: null,
        },
      }));
    await trustDevice(P, server, token, deviceA, userKey);
    const enrolled = await memberEntry(server, adminToken, organization.id);
    check('enrolling accepted the membership, enrolled in account recovery',
      enrolled?.status === 1 && enrolled.resetPasswordEnrolled === true, JSON.stringify(enrolled));
    await expectOk('the owner confirms the member', request(server, 'POST',
      `/api/organizations/${organization.id}/users/${enrolled.id}/confirm`, {
        token: adminToken,
        json: { key: P.encapsulate_key_unsigned(organization.orgKey, P.rsa_extract_public_key(privateKey)) },
      }));

    // 4. An item under the new user key.
    const secret = `a note only the member reads ${crypto.randomBytes(4).toString('hex')}`;
    await expectOk('POST /ciphers', request(server, 'POST', '/api/ciphers', {
      token,
      json: {
        type: 2, name: P.symmetric_encrypt_string('Trusted note', userKey),
        notes: P.symmetric_encrypt_string(secret, userKey), secureNote: { type: 0 }, favorite: false,
        reprompt: 0, folderId: null, organizationId: null,
      },
    }));

    // 5. The next login on device A unlocks from the token response; device B cannot.
    const second = await ssoLogin(server, deviceA);
    const secondOption = second.UserDecryptionOptions?.TrustedDeviceOption;
    check('device A: the token response carries its two encrypted keys',
      typeof secondOption?.EncryptedPrivateKey === 'string' && typeof secondOption.EncryptedUserKey === 'string',
      JSON.stringify(second.UserDecryptionOptions));
    check('device A: the member is enrolled (HasAdminApproval)', secondOption.HasAdminApproval === true);
    const unlocked = unlockWithDevice(P, secondOption, deviceA);
    check('device A: the device key opens the member\'s user key', sameBytes(unlocked, userKey));
    const sync = await expectOk('sync', request(server, 'GET', '/api/sync', { token: second.access_token }));
    const notes = sync.ciphers.map((c) => P.symmetric_decrypt(c.notes, unlocked));
    check('device A: the item decrypts with that key', notes.length === 1 && notes[0] === secret);
    check('the sync shows the member\'s private key under the user key', sameBytes(
      P.unwrap_decapsulation_key(sync.profile.privateKey, unlocked), privateKey));

    const deviceB = makeDevice('device B');
    const onB = await ssoLogin(server, deviceB);
    const optionB = onB.UserDecryptionOptions?.TrustedDeviceOption;
    check('device B: no device keys in its token response',
      optionB && optionB.EncryptedUserKey === undefined && optionB.EncryptedPrivateKey === undefined,
      JSON.stringify(onB.UserDecryptionOptions));
    check('device B: another device can approve (HasLoginApprovingDevice) and so can an admin',
      optionB.HasLoginApprovingDevice === true && optionB.HasAdminApproval === true, JSON.stringify(optionB));
    const known = await request(server, 'GET', '/api/devices/knowndevice', {
      headers: { 'X-Request-Email': Buffer.from(kMemberEmail).toString('base64url'),
        'X-Device-Identifier': deviceA.identifier },
    });
    check('GET /devices/knowndevice knows device A', known.status === 200 && known.json === true,
      `${known.status} ${known.body}`);

    // 6. Untrust device A.
    token = second.access_token;
    const devices = await expectOk('GET /devices', request(server, 'GET', '/api/devices', { token }));
    const rowA = devices.data.find((d) => d.identifier === deviceA.identifier);
    check('the device list shows device A trusted', rowA?.isTrusted === true, JSON.stringify(devices.data));
    await expectOk('POST /devices/untrust', request(server, 'POST', '/api/devices/untrust',
      { token, json: { devices: [rowA.id] } }));
    const third = await ssoLogin(server, deviceA);
    check('device A: untrusted, its login carries no device keys',
      third.UserDecryptionOptions?.TrustedDeviceOption?.EncryptedUserKey === undefined,
      JSON.stringify(third.UserDecryptionOptions));
    const lost = await request(server, 'POST', '/api/devices/lost-trust', {
      token: third.access_token, headers: { 'Device-Identifier': deviceA.identifier, 'Device-Type': '9' },
    });
    check('device A: the client reports its lost trust', lost.status === 200, `${lost.status} ${lost.body}`);

    // 7. Both devices trusted; then the organisation leaves trusted devices.
    await trustDevice(P, server, third.access_token, deviceA, userKey);
    await trustDevice(P, server, onB.access_token, deviceB, userKey);
    await setDecryption(server, adminToken, organization, provider.issuer, 0);
    const offboarding = await ssoLogin(server, deviceA);
    const offOption = offboarding.UserDecryptionOptions?.TrustedDeviceOption;
    check('device A: the organisation left trusted devices, the login says IsTdeOffboarding',
      offOption?.IsTdeOffboarding === true, JSON.stringify(offboarding.UserDecryptionOptions));
    check('device A: still unlocks with its device key', sameBytes(unlockWithDevice(P, offOption, deviceA), userKey));
    const kdf = offboarding.Kdf === 0 ? { pBKDF2: { iterations: offboarding.KdfIterations } } : {
      argon2id: { iterations: offboarding.KdfIterations, memory: offboarding.KdfMemory,
        parallelism: offboarding.KdfParallelism },
    };
    const hashOf = (password) => b64(passwordHash(P.derive_kdf_material(utf8(password), utf8(kMemberEmail), kdf),
      password, 1));
    const password = `Offboarded-${crypto.randomBytes(6).toString('hex')}-Lynx-27`;
    await expectOk('update-tde-offboarding-password', request(server, 'PUT',
      '/api/accounts/update-tde-offboarding-password', {
        token: offboarding.access_token,
        json: {
          newMasterPasswordHash: hashOf(password),
          key: P.encrypt_user_key_with_master_password(userKey, password, kMemberEmail, kdf),
          masterPasswordHint: null,
        },
      }));
    const repeated = await request(server, 'PUT', '/api/accounts/update-tde-offboarding-password', {
      token: offboarding.access_token,
      json: { newMasterPasswordHash: hashOf(password), key: 'x', masterPasswordHint: null },
    });
    check('setting the password ended the session that set it', repeated.status === 401,
      `${repeated.status} ${repeated.body}`);

    // 8. Back on trusted devices, the member (now with a master password) changes it, and the
    // web vault's update-trust keeps device A and drops the device it does not list (B).
    await setDecryption(server, adminToken, organization, provider.issuer, 2);
    const withPassword = await ssoLogin(server, deviceA);
    const passwordOption = withPassword.UserDecryptionOptions;
    check('device A: a member with a master password on trusted devices still gets its device keys',
      passwordOption?.HasMasterPassword === true &&
      typeof passwordOption.TrustedDeviceOption?.EncryptedUserKey === 'string', JSON.stringify(passwordOption));
    const devicePrivateKey = P.unwrap_decapsulation_key(passwordOption.TrustedDeviceOption.EncryptedPrivateKey,
      deviceA.deviceKey);
    const devicePublicKey = P.rsa_extract_public_key(devicePrivateKey);
    token = withPassword.access_token;
    const wrongSecret = await request(server, 'POST', '/api/devices/update-trust', {
      token, headers: { 'Device-Identifier': deviceA.identifier },
      json: { masterPasswordHash: hashOf('not the password'), currentDevice: {
        encryptedPublicKey: P.wrap_encapsulation_key(devicePublicKey, userKey),
        encryptedUserKey: P.encapsulate_key_unsigned(userKey, devicePublicKey) }, otherDevices: [] },
    });
    check('update-trust with a wrong master password is refused', wrongSecret.status === 400,
      `${wrongSecret.status} ${wrongSecret.body}`);
    await expectOk('update-trust', request(server, 'POST', '/api/devices/update-trust', {
      token, headers: { 'Device-Identifier': deviceA.identifier },
      json: { masterPasswordHash: hashOf(password), currentDevice: {
        encryptedPublicKey: P.wrap_encapsulation_key(devicePublicKey, userKey),
        encryptedUserKey: P.encapsulate_key_unsigned(userKey, devicePublicKey) }, otherDevices: [] },
    }));
    const newPassword = `Changed-${crypto.randomBytes(6).toString('hex')}-Wren-64`;
    await expectOk('POST /accounts/password', request(server, 'POST', '/api/accounts/password', {
      token,
      json: {
        masterPasswordHash: hashOf(password), newMasterPasswordHash: hashOf(newPassword),
        key: P.encrypt_user_key_with_master_password(userKey, newPassword, kMemberEmail, kdf), masterPasswordHint: null,
      },
    }));
    const afterChange = await ssoLogin(server, deviceA);
    check('device A: after the password change, its device key still opens the user key',
      sameBytes(unlockWithDevice(P, afterChange.UserDecryptionOptions.TrustedDeviceOption, deviceA), userKey));
    const onBAgain = await ssoLogin(server, deviceB);
    check('device B: not listed in update-trust, it is no longer trusted',
      onBAgain.UserDecryptionOptions?.TrustedDeviceOption?.EncryptedUserKey === undefined,
      JSON.stringify(onBAgain.UserDecryptionOptions));

    // 9. The web vault rotates the user key (rotate-user-account-keys, password unchanged), with
    // every value made by the SDK: the item, the private key, device A and the recovery enrolment.
    token = afterChange.access_token;
    const rotationData = await expectOk('key-rotation-data', request(server, 'GET',
      '/api/accounts/key-management/key-rotation-data', { token }));
    check('key-rotation-data lists device A and the enrolment',
      rotationData.trustedDeviceKeyData.length === 1 && rotationData.organizationPasswordResetKeyData.length === 1 &&
      rotationData.organizationPasswordResetKeyData[0].organizationId === organization.id,
      JSON.stringify(rotationData));
    const rotatedKey = P.make_user_key_aes256_cbc_hmac();
    const beforeRotation = await expectOk('sync', request(server, 'GET', '/api/sync', { token }));
    const rotateBody = (ciphers) => ({
      oldMasterKeyAuthenticationHash: hashOf(newPassword),
      accountUnlockData: {
        masterPasswordUnlockData: {
          kdfType: offboarding.Kdf, kdfIterations: offboarding.KdfIterations, kdfMemory: offboarding.KdfMemory ?? null,
          kdfParallelism: offboarding.KdfParallelism ?? null, email: kMemberEmail, masterPasswordSalt: kMemberEmail,
          masterKeyAuthenticationHash: hashOf(newPassword),
          masterKeyEncryptedUserKey: P.encrypt_user_key_with_master_password(rotatedKey, newPassword, kMemberEmail, kdf),
          masterPasswordHint: null,
        },
        emergencyAccessUnlockData: [],
        organizationAccountRecoveryUnlockData: rotationData.organizationPasswordResetKeyData.map((o) => ({
          organizationId: o.organizationId,
          resetPasswordKey: P.encapsulate_key_unsigned(rotatedKey, unb64(o.organizationPublicKey)),
        })),
        passkeyUnlockData: [],
        deviceKeyUnlockData: rotationData.trustedDeviceKeyData.map((d) => {
          const publicKey = P.unwrap_encapsulation_key(d.encryptedPublicKey, userKey);
          return { deviceId: d.id, encryptedPublicKey: P.wrap_encapsulation_key(publicKey, rotatedKey),
            encryptedUserKey: P.encapsulate_key_unsigned(rotatedKey, publicKey) };
        }),
      },
      accountKeys: {
        userKeyEncryptedAccountPrivateKey: P.wrap_decapsulation_key(privateKey, rotatedKey),
        accountPublicKey: b64(P.rsa_extract_public_key(privateKey)),
      },
      accountData: { ciphers, folders: [], sends: [] },
    });
    const reencrypted = beforeRotation.ciphers.map((c) => ({
      id: c.id, type: c.type, organizationId: null, folderId: null, favorite: c.favorite, reprompt: c.reprompt,
      secureNote: c.secureNote, lastKnownRevisionDate: c.revisionDate,
      name: P.symmetric_encrypt_string(P.symmetric_decrypt(c.name, userKey), rotatedKey),
      notes: P.symmetric_encrypt_string(P.symmetric_decrypt(c.notes, userKey), rotatedKey),
    }));
    const missing = await request(server, 'POST', '/api/accounts/key-management/rotate-user-account-keys',
      { token, json: rotateBody([]) });
    check('a rotation that leaves out the item is refused', missing.status === 400, `${missing.status} ${missing.body}`);
    await expectOk('rotate-user-account-keys', request(server, 'POST',
      '/api/accounts/key-management/rotate-user-account-keys', { token, json: rotateBody(reencrypted) }));
    const afterRotation = await ssoLogin(server, deviceA);
    check('device A: after the rotation its device key opens the new user key', sameBytes(
      unlockWithDevice(P, afterRotation.UserDecryptionOptions.TrustedDeviceOption, deviceA), rotatedKey));
    const details = await expectOk('reset-password-details', request(server, 'GET',
      `/api/organizations/${organization.id}/users/${enrolled.id}/reset-password-details`, { token: adminToken }));
    check('the organisation\'s enrolment opens to the new user key', sameBytes(
      P.decapsulate_key_unsigned(details.resetPasswordKey, organization.orgPrivateKey), rotatedKey));

    // 10. Master passwords again, require single sign-on off: the official CLI logs in.
    await setDecryption(server, adminToken, organization, provider.issuer, 0);
    await expectOk('the owner turns off require single sign-on', request(server, 'PUT',
      `/api/organizations/${organization.id}/policies/4`, { token: adminToken, json: { policy: { enabled: false } } }));
    await bw.ok(['config', 'server', server.url]);
    const session = (await bw.ok(['login', kMemberEmail, newPassword, '--raw'])).out.trim();
    const listed = JSON.parse((await bw.ok(['list', 'items'], session)).out);
    check('bw login with the changed master password, bw list items decrypts the item',
      listed.length === 1 && listed[0].notes === secret, JSON.stringify(listed.map((i) => i.name)));
    console.log('passed');
    return 0;
  } finally {
    bw.cleanup();
    if (provider && running(provider.child)) provider.child.kill('SIGTERM');
    await stopServer(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e) => {
  console.log(`FAIL: ${e instanceof Failure ? e.message : e?.stack ?? e}`);
  process.exit(1);
});
