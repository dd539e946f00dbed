// Malformed EncStrings: each side must accept exactly what the other accepts. Every case
// starts from a valid value, so a spelling one side tolerates and the other refuses shows up.
import { b64 } from './harness.mjs';

const kAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Keywarden's base64 is deliberately stricter than the SDK's (encoding.h: one string, one
// meaning), so these spellings may be refused by us alone; the reverse would be a bug.
const kOursStricter = new Set(['padding removed', 'non-zero bits after the data']);

// Sets the unused low bits of the last data character of a padded base64 part.
function dirtyTrailingBits(part) {
  const pad = part.length - part.replace(/=+$/, '').length;
  if (pad === 0) return part;
  const i = part.length - pad - 1;
  const unused = pad === 1 ? 0x03 : 0x0f;
  return part.slice(0, i) + kAlphabet[kAlphabet.indexOf(part[i]) | unused] + part.slice(i + 1);
}

// Respellings of a valid "T.a|b|..." string; `type` is its header number.
function respellings(valid, type) {
  const body = valid.slice(valid.indexOf('.') + 1);
  const parts = body.split('|');
  const unpadded = parts.map((p) => p.replace(/=+$/, '')).join('|');
  return {
    'as given': valid,
    'non-zero bits after the data': `${type}.${[dirtyTrailingBits(parts[0]), ...parts.slice(1)].join('|')}`,
    'leading zero in the header': `0${type}.${body}`,
    'plus sign in the header': `+${type}.${body}`,
    'space before the header': ` ${valid}`,
    'trailing newline': `${valid}\n`,
    'padding removed': `${type}.${unpadded}`,
    'space inside base64': `${type}.${parts[0].slice(0, 4)} ${parts[0].slice(4)}|${parts.slice(1).join('|')}`,
    'url-safe alphabet': `${type}.${body.replace(/\+/g, '-').replace(/\//g, '_')}`,
    'trailing separator': `${valid}|`,
    'extra part': `${valid}|${parts[parts.length - 1]}`,
    'missing part': `${type}.${parts.slice(0, -1).join('|')}`,
    'type 1 header': `1.${body}`,
    'type 7 header': `7.${body}`,
  };
}

function agree({ tally }, name, label, referenceAccepts, ours) {
  tally.run(label, () => {
    const { status } = ours();
    if (![0, 1, 2].includes(status)) throw new Error(`keywarden exited ${status}`);
    const oursAccepts = status === 0;
    if (oursAccepts === referenceAccepts) return;
    if (kOursStricter.has(name) && referenceAccepts) {
      console.log(`note: ${label}: the reference accepts it, keywarden refuses it (strict base64, by design)`);
      return;
    }
    throw new Error(`reference ${referenceAccepts ? 'accepts' : 'rejects'} it, keywarden exited ${status}`);
  });
}

const accepts = (fn) => {
  try { fn(); return true; } catch { return false; }
};

export function checkMalformed({ P, cli, rng, tally }, pairs) {
  // One valid value of each kind, respelled; the list above is the coverage, not the count.
  tally.section('malformed input: both sides accept the same spellings');
  const key = rng.bytes(64);
  // A plaintext whose ciphertext base64 has '+' or '/' so the url-safe case changes something.
  // Retries draw fresh IVs inside the reference only, so the seeded sequence stays replayable.
  const plaintext = rng.bytes(rng.int(1, 40));
  let valid;
  do valid = P.symmetric_encrypt_bytes(plaintext, key); while (!/[+/]/.test(valid));
  for (const [name, enc] of Object.entries(respellings(valid, 2))) {
    agree({ tally }, name, `type 2, ${name}`, accepts(() => P.symmetric_decrypt_bytes(enc, key)),
      () => cli.invoke('decrypt', { key: b64(key), enc }));
  }
  if (pairs.length > 0) {
    const pair = pairs[0];
    const encapsulated = P.encapsulate_key_unsigned(rng.bytes(64), pair.publicKey);
    const cases = {
      ...respellings(encapsulated, 4),
      'type 6 with a MAC part': `6.${encapsulated.slice(2)}|${b64(rng.bytes(32))}`,
      'type 6 without its MAC part': `6.${encapsulated.slice(2)}`,
    };
    for (const [name, enc] of Object.entries(cases)) {
      agree({ tally }, name, `type 4, ${name}`, accepts(() => P.decapsulate_key_unsigned(enc, pair.privateKey)),
        () => cli.invoke('decapsulate', { 'private-key': b64(pair.privateKey), enc }));
    }
  }
  tally.endSection();
}
