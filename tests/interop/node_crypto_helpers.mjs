// What the SDK's PureCrypto does not expose, computed with node:crypto straight from
// formats.md: password hashes, the HKDF stretch, the decrypt-only EncString types, and
// the fingerprint phrase.
import crypto from 'node:crypto';
import fs from 'node:fs';

import { b64 } from './harness.mjs';

// The client-side salt: email.trim().toLowerCase() (full Unicode rules, as JS and Rust do).
export const normalizeEmail = (email) => email.trim().toLowerCase();

// Server authentication hash (1 iteration) and local verification hash (2 iterations).
export function passwordHash(masterKey, password, iterations) {
  return crypto.pbkdf2Sync(Buffer.from(masterKey), Buffer.from(password, 'utf8'), iterations, 32, 'sha256');
}

// HKDF-Expand-SHA256 without Extract; one block is enough for the 32-byte outputs used here.
export function hkdfExpand32(prk, info) {
  return crypto.createHmac('sha256', Buffer.from(prk))
    .update(Buffer.concat([Buffer.from(info, 'utf8'), Buffer.from([1])]))
    .digest();
}

export const stretchMasterKey = (masterKey) =>
  Buffer.concat([hkdfExpand32(masterKey, 'enc'), hkdfExpand32(masterKey, 'mac')]);

// Type 0 (AES-256-CBC, no MAC) under a raw 32-byte key: decrypt-only legacy data.
// With header=false the "0." prefix is left off, which still means type 0.
export function legacyType0(plaintext, key32, { header = true } = {}) {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-256-cbc', Buffer.from(key32), iv);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${header ? '0.' : ''}${b64(iv)}|${b64(ct)}`;
}

// Types 3, 5 and 6 (decrypt only): RSA-OAEP with SHA-256 or SHA-1; 5 and 6 carry a MAC
// part that readers ignore, so any 32 bytes do.
export function asymmetricOfType(type, spki, keyBytes) {
  const oaepHash = type === 3 || type === 5 ? 'sha256' : 'sha1';
  const publicKey = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const ct = crypto.publicEncrypt(
    { key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, Buffer.from(keyBytes));
  return type >= 5 ? `${type}.${b64(ct)}|${b64(crypto.randomBytes(32))}` : `${type}.${b64(ct)}`;
}

export function rsaDetails(spki) {
  const k = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return k.asymmetricKeyDetails;  // { modulusLength, publicExponent }
}

// The EFF long word list from Debian's diceware package (the same file the build embeds).
export function loadEffWordList(path) {
  if (!path || !fs.existsSync(path)) return null;
  const words = [];
  for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
    const m = /^[1-6]{5}\s+(\S+)$/.exec(line.trim());
    if (m) words.push(m[1]);
  }
  return words.length === 7776 ? words : null;
}

// HKDF-Expand(PRK = SPKI, info = fingerprint material, 32) as a big-endian integer, taken
// apart base 7776 from the low end: five words.
export function fingerprintPhrase(material, spki, words) {
  let n = BigInt('0x' + hkdfExpand32(spki, material).toString('hex'));
  const out = [];
  for (let i = 0; i < 5; i++) {
    out.push(words[Number(n % 7776n)]);
    n /= 7776n;
  }
  return out.join('-');
}
