// RSA-2048 key pairs: generation, public key extraction, key encapsulation (type 4 made,
// types 3/4/5/6 read) and the private key wrapped under a symmetric key, both directions.
import {
  b64, expectBytes, expectReferenceRejects, expectTrue, unb64,
} from './harness.mjs';
import { asymmetricOfType, rsaDetails } from './node_crypto_helpers.mjs';

// Key pairs from both sides; later sections reuse them (key generation dominates the cost).
export function makeKeyPairs({ P, cli, tally, count }) {
  const pairs = [];
  tally.section('rsa: key generation and public key extraction');
  for (let i = 0; i < count(8); i++) {
    tally.run(`keywarden pair #${i}`, () => {
      const out = cli.run('rsa-generate');
      const pair = { origin: 'keywarden', privateKey: unb64(out.private_key), publicKey: unb64(out.public_key) };
      expectBytes('public_key vs rsa_extract_public_key', pair.publicKey, P.rsa_extract_public_key(pair.privateKey));
      const details = rsaDetails(pair.publicKey);
      expectTrue('RSA-2048 with e = 65537', details.modulusLength === 2048 && details.publicExponent === 65537n);
      pairs.push(pair);
    });
  }
  for (let i = 0; i < count(8); i++) {
    const privateKey = P.rsa_generate_keypair();
    pairs.push({ origin: 'reference', privateKey, publicKey: P.rsa_extract_public_key(privateKey) });
  }
  tally.endSection();
  return pairs;
}

export function checkRsa({ P, cli, rng, tally, count }, pairs) {
  if (pairs.length === 0) return;
  const pickPair = () => rng.pick(pairs);
  // Mostly 64-byte symmetric keys; 32-byte ones are what auth requests encapsulate.
  const sharedKey = () => rng.bytes(rng.chance(0.8) ? 64 : 32);

  tally.section('rsa: keywarden encapsulates, reference decapsulates');
  for (let i = 0; i < count(40); i++) {
    const pair = pickPair();
    const key = sharedKey();
    tally.run(`#${i} (${pair.origin} pair, ${key.length}-byte key)`, () => {
      const { enc } = cli.run('encapsulate', { 'public-key': b64(pair.publicKey), key: b64(key) });
      expectTrue('encapsulate produced type 4', /^4\.[A-Za-z0-9+/]+=*$/.test(enc));
      expectBytes('reference decapsulate_key_unsigned', P.decapsulate_key_unsigned(enc, pair.privateKey), key);
    });
  }
  tally.endSection();

  tally.section('rsa: reference encapsulates, keywarden decapsulates');
  for (let i = 0; i < count(40); i++) {
    const pair = pickPair();
    const key = sharedKey();
    tally.run(`#${i} (${pair.origin} pair, ${key.length}-byte key)`, () => {
      const enc = P.encapsulate_key_unsigned(key, pair.publicKey);
      const out = cli.run('decapsulate', { 'private-key': b64(pair.privateKey), enc });
      expectBytes('decapsulated key', unb64(out.key), key);
    });
  }
  tally.endSection();

  // Types 3, 5 and 6 are read but never made; node:crypto makes them, both sides must open them.
  tally.section('rsa: decrypt-only types 3, 5, 6 (made by node:crypto)');
  for (let i = 0; i < count(12); i++) {
    const pair = pickPair();
    const key = rng.bytes(64);
    const type = [3, 5, 6][i % 3];
    tally.run(`#${i} type ${type}`, () => {
      const enc = asymmetricOfType(type, pair.publicKey, key);
      expectBytes('reference opens it', P.decapsulate_key_unsigned(enc, pair.privateKey), key);
      const out = cli.run('decapsulate', { 'private-key': b64(pair.privateKey), enc });
      expectBytes('keywarden opens it', unb64(out.key), key);
    });
  }
  for (let i = 0; i < count(8); i++) {
    const [a, b] = [pairs[i % pairs.length], pairs[(i + 1) % pairs.length]];
    tally.run(`wrong private key #${i}`, () => {
      const enc = P.encapsulate_key_unsigned(rng.bytes(64), a.publicKey);
      expectReferenceRejects('wrong private key', () => P.decapsulate_key_unsigned(enc, b.privateKey));
      cli.expectFailure('decapsulate', { 'private-key': b64(b.privateKey), enc });
    });
  }
  tally.endSection();

  tally.section('rsa: private key wrapped under a symmetric key');
  for (let i = 0; i < count(20); i++) {
    const pair = pickPair();
    const key = rng.bytes(64);
    tally.run(`keywarden wraps #${i} (${pair.origin} pair)`, () => {
      const { enc } = cli.run('wrap-private-key', { key: b64(key), 'private-key': b64(pair.privateKey) });
      expectTrue('wrap produced type 2', /^2\./.test(enc));
      expectBytes('reference unwrap_decapsulation_key', P.unwrap_decapsulation_key(enc, key), pair.privateKey);
    });
  }
  for (let i = 0; i < count(20); i++) {
    const pair = pickPair();
    const key = rng.bytes(64);
    tally.run(`reference wraps #${i} (${pair.origin} pair)`, () => {
      const enc = P.wrap_decapsulation_key(pair.privateKey, key);
      const out = cli.run('unwrap-private-key', { key: b64(key), enc });
      expectBytes('unwrapped private_key', unb64(out.private_key), pair.privateKey);
      expectBytes('public_key vs rsa_extract_public_key', unb64(out.public_key), P.rsa_extract_public_key(pair.privateKey));
    });
  }
  for (let i = 0; i < count(5); i++) {
    const pair = pickPair();
    tally.run(`wrong wrapping key #${i}`, () => {
      const enc = P.wrap_decapsulation_key(pair.privateKey, rng.bytes(64));
      cli.expectFailure('unwrap-private-key', { key: b64(rng.bytes(64)), enc });
    });
  }
  tally.endSection();
}
