// Master key derivation (PBKDF2 and Argon2id), the two password hashes, and the stretched key,
// for random unicode passwords and emails with mixed case and surrounding whitespace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expectBytes, unb64, utf8 } from './harness.mjs';
import { normalizeEmail, passwordHash, stretchMasterKey } from './node_crypto_helpers.mjs';

// Fixed settings cover the edges (client minimum, every lane count, today's and the old
// Argon2id default); the rest are random but cheap.
function kdfCases(rng, count) {
  const cases = [
    { pBKDF2: { iterations: 5000 } },
    { pBKDF2: { iterations: 5001 } },
    { pBKDF2: { iterations: 100000 } },
    { argon2id: { iterations: 2, memory: 16, parallelism: 1 } },
    { argon2id: { iterations: 2, memory: 16, parallelism: 2 } },
    { argon2id: { iterations: 2, memory: 16, parallelism: 3 } },
    { argon2id: { iterations: 2, memory: 16, parallelism: 4 } },
    { argon2id: { iterations: 6, memory: 32, parallelism: 4 } },
    { argon2id: { iterations: 3, memory: 64, parallelism: 4 } },
  ];
  while (cases.length < count) {
    cases.push(rng.chance(0.5)
      ? { pBKDF2: { iterations: rng.int(5000, 30000) } }
      : { argon2id: { iterations: rng.int(2, 4), memory: rng.int(16, 24), parallelism: rng.int(1, 4) } });
  }
  return cases.slice(0, Math.max(count, 1));
}

function kdfSpec(kdf) {
  if (kdf.pBKDF2) return `pbkdf2:${kdf.pBKDF2.iterations}`;
  const { iterations, memory, parallelism } = kdf.argon2id;
  return `argon2id:${iterations},${memory},${parallelism}`;
}

export function checkMasterKey({ P, cli, rng, tally, count }) {
  tally.section('master key: KDFs, password hashes, stretched key');
  const cases = kdfCases(rng, count(24));
  cases.forEach((kdf, i) => {
    deriveAndCompare({ P, cli, rng, tally }, `#${i} ${kdfSpec(kdf)}`, kdf, rng.email());
  });
  tally.endSection();

  // Clients lower-case and trim with full Unicode rules (JS toLowerCase/trim, Rust
  // to_lowercase/trim), so " Ä@x" and "ä@x" are one account. Kept apart so that a failure
  // here reads as what it is.
  tally.section('master key: emails with non-ASCII capitals or white space');
  for (let i = 0; i < count(6); i++) {
    const kdf = { pBKDF2: { iterations: 5000 } };
    const capitals = i % 2 === 0;
    const email = capitals ? rng.email({ nonAsciiUpper: true }) : rng.email({ unicodeSpace: true });
    deriveAndCompare({ P, cli, rng, tally }, `#${i} ${capitals ? 'non-ASCII capitals' : 'non-ASCII white space'}`,
      kdf, email);
  }
  tally.endSection();

  // Secrets can also come from a file ("@path") or stdin ("-"); the value must arrive unchanged.
  tally.section('master key: password from @file and stdin');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keywarden-interop-'));
  try {
    for (let i = 0; i < count(4); i++) {
      const kdf = { pBKDF2: { iterations: 5000 } };
      const file = path.join(dir, `password-${i}`);
      const via = i % 2 === 0 ? 'stdin' : '@file';
      deriveAndCompare({ P, cli, rng, tally }, `#${i} via ${via}`, kdf, rng.email(), (password) => {
        if (via === 'stdin') return { flag: '-', input: password };
        fs.writeFileSync(file, password, { mode: 0o600 });
        return { flag: `@${file}` };
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  tally.endSection();
}

// `passwordSource` turns the password into the --password value (and stdin); default: argv.
function deriveAndCompare({ P, cli, rng, tally }, label, kdf, email, passwordSource) {
  const password = passwordSource ? rng.password().trim() || 'x' : rng.password();
  const userKey = rng.bytes(64);
  tally.run(label, () => {
    const { flag, input } = passwordSource ? passwordSource(password) : { flag: password };
    const ours = cli.run('master-key', { email, password: flag, kdf: kdfSpec(kdf) }, { input });
    const masterKey = P.derive_kdf_material(utf8(password), utf8(normalizeEmail(email)), kdf);
    expectBytes('master_key', unb64(ours.master_key), masterKey);
    expectBytes('server_hash', unb64(ours.server_hash), passwordHash(masterKey, password, 1));
    expectBytes('local_hash', unb64(ours.local_hash), passwordHash(masterKey, password, 2));
    expectBytes('stretched_key', unb64(ours.stretched_key), stretchMasterKey(masterKey));
    // The reference's own wrap, opened with our stretched key and with our master key.
    const enc = P.encrypt_user_key_with_master_password(userKey, password, email, kdf);
    expectBytes('reference decrypts its wrap with our stretched key',
      P.symmetric_decrypt_bytes(enc, unb64(ours.stretched_key)), userKey);
    const unwrapped = cli.run('unwrap-user-key', { 'master-key': ours.master_key, enc });
    expectBytes('keywarden unwraps the reference wrap', unb64(unwrapped.user_key), userKey);
  });
}
