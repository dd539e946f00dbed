// Flows built from the primitives: trusted-device enrolment and unlock, account recovery
// (enrolment, and an administrator's recovery with the member's own KDF settings), and the
// fingerprint phrase.
import { b64, expectBytes, expectTrue, unb64, utf8 } from './harness.mjs';
import { fingerprintPhrase, normalizeEmail, passwordHash } from './node_crypto_helpers.mjs';

export function checkTrustedDevice({ P, cli, rng, tally, count }) {
  tally.section('trusted device: keywarden enrols, reference unlocks');
  for (let i = 0; i < count(8); i++) {
    const userKey = rng.bytes(64);
    tally.run(`#${i}`, () => {
      const out = cli.run('trust-device', { 'user-key': b64(userKey) });
      const deviceKey = unb64(out.device_key);
      expectTrue('device_key is 64 bytes', deviceKey.length === 64);
      const privateKey = P.unwrap_decapsulation_key(out.encrypted_private_key, deviceKey);
      const publicKey = P.rsa_extract_public_key(privateKey);
      expectBytes('user key from encrypted_user_key',
        P.decapsulate_key_unsigned(out.encrypted_user_key, privateKey), userKey);
      expectBytes('encrypted_public_key holds the device SPKI',
        P.unwrap_encapsulation_key(out.encrypted_public_key, userKey), publicKey);
      const unlocked = cli.run('device-unlock', {
        'device-key': out.device_key,
        'encrypted-private-key': out.encrypted_private_key,
        'encrypted-user-key': out.encrypted_user_key,
      });
      expectBytes('keywarden device-unlock of its own enrolment', unb64(unlocked.user_key), userKey);
    });
  }
  tally.endSection();

  tally.section('trusted device: reference enrols, keywarden unlocks');
  for (let i = 0; i < count(6); i++) {
    const userKey = rng.bytes(64);
    const deviceKey = rng.bytes(64);
    tally.run(`#${i}`, () => {
      const privateKey = P.rsa_generate_keypair();
      const out = cli.run('device-unlock', {
        'device-key': b64(deviceKey),
        'encrypted-private-key': P.wrap_decapsulation_key(privateKey, deviceKey),
        'encrypted-user-key': P.encapsulate_key_unsigned(userKey, P.rsa_extract_public_key(privateKey)),
      });
      expectBytes('unlocked user key', unb64(out.user_key), userKey);
    });
  }
  tally.endSection();
}

export function checkRecovery({ P, cli, rng, tally, count }, pairs) {
  if (pairs.length === 0) return;
  tally.section('account recovery: keywarden enrols, organisation key opens it');
  for (let i = 0; i < count(8); i++) {
    const org = rng.pick(pairs);
    const userKey = rng.bytes(64);
    tally.run(`#${i} (${org.origin} org pair)`, () => {
      const out = cli.run('recovery-enroll', { 'user-key': b64(userKey), 'org-public-key': b64(org.publicKey) });
      expectTrue('reset_password_key is type 4', /^4\./.test(out.reset_password_key));
      expectBytes('reference decapsulates the user key',
        P.decapsulate_key_unsigned(out.reset_password_key, org.privateKey), userKey);
    });
  }
  tally.endSection();

  // An administrator's recovery keeps the member's KDF settings, whatever they are: old
  // accounts sit below the server's minimum for new settings (PBKDF2 100,000).
  tally.section('account recovery: keywarden recovers with the member\'s settings, reference unlocks');
  const kdfs = [
    ['pbkdf2:100000', { pBKDF2: { iterations: 100000 } }],
    ['pbkdf2:5000', { pBKDF2: { iterations: 5000 } }],
    ['argon2id:2,16,1', { argon2id: { iterations: 2, memory: 16, parallelism: 1 } }],
  ];
  for (let i = 0; i < count(6); i++) {
    const org = rng.pick(pairs);
    const [kdfText, kdf] = kdfs[i % kdfs.length];
    const userKey = rng.bytes(64);
    const orgKey = rng.bytes(64);
    const password = rng.password();
    const email = rng.email();
    tally.run(`#${i} (${kdfText}, ${org.origin} org pair)`, () => {
      const enrolment = P.encapsulate_key_unsigned(userKey, org.publicKey);
      const out = cli.run('recovery-recover', {
        'org-key': b64(orgKey),
        'org-encrypted-private-key': P.wrap_decapsulation_key(org.privateKey, orgKey),
        'reset-password-key': enrolment,
        'new-password': password,
        email,
        kdf: kdfText,
      });
      expectBytes('reference unlocks with the new password',
        P.decrypt_user_key_with_master_password(out.encrypted_user_key, password, email, kdf), userKey);
      const masterKey = P.derive_kdf_material(utf8(password), utf8(normalizeEmail(email)), kdf);
      expectBytes('server_hash', unb64(out.server_hash), passwordHash(masterKey, password, 1));
      expectBytes('re-enrolment opens for the organisation',
        P.decapsulate_key_unsigned(out.reset_password_key, org.privateKey), userKey);
    });
  }
  tally.endSection();
}

// The SDK's PureCrypto has no fingerprint function; node computes formats.md's recipe.
export function checkFingerprint({ cli, rng, tally, count, words }, pairs) {
  if (pairs.length === 0 || !words) return;
  tally.section('fingerprint phrase (vs node:crypto)');
  for (let i = 0; i < count(8); i++) {
    const pair = rng.pick(pairs);
    const email = `${rng.int(0, 1e6)}user@example.com`;
    tally.run(`#${i}`, () => {
      const out = cli.run('fingerprint', { email, 'public-key': b64(pair.publicKey) });
      const expected = fingerprintPhrase(email, pair.publicKey, words);
      expectTrue(`phrase "${out.phrase}" vs "${expected}"`, out.phrase === expected);
    });
  }
  tally.endSection();
}
