// Type 2 EncStrings (AES-256-CBC + HMAC-SHA256), both directions, text and bytes, plus the
// rejections both sides must agree on (wrong key, any tampered part).
import {
  b64, decodeUtf8OrNull, expectBytes, expectReferenceRejects, expectTrue, utf8,
} from './harness.mjs';

const kMaxPlaintext = 2000;

export function checkSymmetric({ P, cli, rng, tally, count }) {
  tally.section('symmetric: keywarden encrypts, reference decrypts');
  for (let i = 0; i < count(100); i++) {
    const key = rng.bytes(64);
    const text = rng.text(kMaxPlaintext);
    tally.run(`text #${i} (${utf8(text).length} bytes)`, () => {
      const { enc } = cli.run('encrypt', { key: b64(key), text: argvSafe(text) });
      expectTrue('encrypt produced a type 2 EncString', /^2\./.test(enc));
      expectTrue('reference decrypts the text unchanged', P.symmetric_decrypt_string(enc, key) === argvSafe(text));
    });
  }
  for (let i = 0; i < count(100); i++) {
    const key = rng.bytes(64);
    const data = rng.bytes(rng.length(kMaxPlaintext));
    tally.run(`bytes #${i} (${data.length} bytes)`, () => {
      const { enc } = cli.run('encrypt', { key: b64(key), data: b64(data) });
      expectBytes('reference decrypts the bytes', P.symmetric_decrypt_bytes(enc, key), data);
    });
  }
  tally.endSection();

  tally.section('symmetric: reference encrypts, keywarden decrypts');
  for (let i = 0; i < count(100); i++) {
    const key = rng.bytes(64);
    const text = rng.text(kMaxPlaintext);
    tally.run(`text #${i} (${utf8(text).length} bytes)`, () => {
      const out = cli.run('decrypt', { key: b64(key), enc: P.symmetric_encrypt_string(text, key) });
      expectBytes('decrypted data', unb64Field(out.data), utf8(text));
      expectTrue('decrypted text field equals the plaintext', out.text === text);
    });
  }
  for (let i = 0; i < count(100); i++) {
    const key = rng.bytes(64);
    const data = rng.chance(0.2) ? nearlyUtf8(rng) : rng.bytes(rng.length(kMaxPlaintext));
    tally.run(`bytes #${i} (${data.length} bytes)`, () => {
      const enc = P.symmetric_encrypt_bytes(data, key);
      const out = cli.run('decrypt', { key: b64(key), enc });
      expectBytes('decrypted data', unb64Field(out.data), data);
      // "text" appears exactly when the bytes are UTF-8, as strict as the reference's check.
      const text = decodeUtf8OrNull(data);
      let referenceText = null;
      try { referenceText = P.symmetric_decrypt_string(enc, key); } catch { /* not UTF-8 */ }
      expectTrue('node and the reference agree on UTF-8 validity', referenceText === text);
      expectTrue(`text field ${text === null ? 'absent for non-UTF-8' : 'equals the UTF-8 plaintext'}`,
        text === null ? out.text === undefined : out.text === text);
    });
  }
  tally.endSection();

  tally.section('symmetric: both reject wrong keys and tampering');
  for (let i = 0; i < count(40); i++) {
    const key = rng.bytes(64);
    const enc = P.symmetric_encrypt_bytes(rng.bytes(rng.int(0, 100)), key);
    const [iv, ct, mac] = enc.slice(2).split('|');
    const variants = {
      'wrong key': [rng.bytes(64), enc],
      'wrong MAC key half': [Uint8Array.from([...key.subarray(0, 32), ...rng.bytes(32)]), enc],
      'flipped IV bit': [key, `2.${flip(rng, iv)}|${ct}|${mac}`],
      'flipped ciphertext bit': [key, `2.${iv}|${flip(rng, ct)}|${mac}`],
      'flipped MAC bit': [key, `2.${iv}|${ct}|${flip(rng, mac)}`],
    };
    const [name, [k, tampered]] = rng.pick(Object.entries(variants));
    tally.run(`#${i} ${name}`, () => {
      expectReferenceRejects(name, () => P.symmetric_decrypt_bytes(tampered, k));
      cli.expectFailure('decrypt', { key: b64(k), enc: tampered });
    });
  }
  tally.endSection();
}

// The CLI reads a value starting with '@' as a file name, and "-" as stdin.
function argvSafe(text) {
  return text.startsWith('@') || text === '-' ? `x${text}` : text;
}

function unb64Field(value) {
  return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : undefined;
}

// Flips one bit of a base64 part; the result is still valid base64 of the same length.
function flip(rng, part) {
  const bytes = Buffer.from(part, 'base64');
  bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
  return bytes.toString('base64');
}

// Bytes that a lax UTF-8 decoder would accept: surrogates, overlong forms, code points past
// U+10FFFF, truncated sequences, a BOM, embedded NUL.
function nearlyUtf8(rng) {
  const traps = [
    [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xf4, 0x90, 0x80, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0x00], [0xc3, 0xa9], [0xf0, 0x9f, 0x94, 0x91],
  ];
  const out = [...utf8(rng.text(40))];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) out.splice(rng.int(0, out.length), 0, ...rng.pick(traps));
  return Uint8Array.from(out);
}
