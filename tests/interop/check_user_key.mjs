// The user key wrapped under the (stretched) master key, both directions, plus the legacy
// type 0 form that only a raw 32-byte master key can open.
import { b64, expectBytes, expectReferenceRejects, expectTrue, unb64, utf8 } from './harness.mjs';
import { legacyType0, normalizeEmail } from './node_crypto_helpers.mjs';

// The cheapest KDF a client accepts; the KDFs themselves are compared in check_master_key.
const kFastKdf = { pBKDF2: { iterations: 5000 } };

export function checkUserKey({ P, cli, rng, tally, count }) {
  tally.section('user key: keywarden wraps, reference unwraps');
  for (let i = 0; i < count(50); i++) {
    const masterKey = rng.bytes(32);  // as for a Key Connector user
    tally.run(`#${i}`, () => {
      const out = cli.run('make-user-key', { 'master-key': b64(masterKey) });
      const userKey = unb64(out.user_key);
      expectTrue('user_key is 64 bytes', userKey.length === 64);
      expectTrue('encrypted_user_key is type 2', /^2\./.test(out.encrypted_user_key));
      expectBytes('reference decrypt_user_key_with_master_key',
        P.decrypt_user_key_with_master_key(out.encrypted_user_key, masterKey), userKey);
    });
  }
  tally.endSection();

  tally.section('user key: reference wraps, keywarden unwraps');
  for (let i = 0; i < count(50); i++) {
    const userKey = rng.bytes(64);
    const password = rng.password();
    const email = rng.email();
    tally.run(`#${i}`, () => {
      const enc = P.encrypt_user_key_with_master_password(userKey, password, email, kFastKdf);
      const masterKey = P.derive_kdf_material(utf8(password), utf8(normalizeEmail(email)), kFastKdf);
      const out = cli.run('unwrap-user-key', { 'master-key': b64(masterKey), enc });
      expectBytes('unwrapped user key', unb64(out.user_key), userKey);
    });
  }
  tally.endSection();

  tally.section('user key: legacy type 0 under a raw master key, and rejections');
  for (let i = 0; i < count(10); i++) {
    const masterKey = rng.bytes(32);
    const userKey = rng.bytes(64);
    const header = i % 2 === 0;
    tally.run(`type 0 #${i} (${header ? '"0." header' : 'no header'})`, () => {
      const enc = legacyType0(userKey, masterKey, { header });
      expectBytes('reference reads type 0', P.decrypt_user_key_with_master_key(enc, masterKey), userKey);
      const out = cli.run('unwrap-user-key', { 'master-key': b64(masterKey), enc });
      expectBytes('keywarden reads type 0', unb64(out.user_key), userKey);
    });
  }
  for (let i = 0; i < count(10); i++) {
    const masterKey = rng.bytes(32);
    const wrong = rng.bytes(32);
    tally.run(`wrong master key #${i}`, () => {
      const { encrypted_user_key: enc } = cli.run('make-user-key', { 'master-key': b64(masterKey) });
      expectReferenceRejects('wrong master key', () => P.decrypt_user_key_with_master_key(enc, wrong));
      cli.expectFailure('unwrap-user-key', { 'master-key': b64(wrong), enc });
    });
  }
  tally.endSection();
}
