// Shared machinery for the differential tests: a seeded PRNG, input generators,
// byte helpers, and the pass/fail bookkeeping.
//
// Everything random comes from one seeded generator so that a failure can be
// replayed with INTEROP_SEED; only the IVs and keys the implementations draw
// themselves differ between runs.
import crypto from 'node:crypto';

// ---- seeded PRNG (splitmix32 to seed, then sfc32) ----

export class Prng {
  constructor(seed) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  // Uniform integer in [lo, hi].
  int(lo, hi) { return lo + Math.floor((this.u32() / 4294967296) * (hi - lo + 1)); }
  chance(p) { return this.u32() / 4294967296 < p; }
  pick(items) { return items[this.int(0, items.length - 1)]; }

  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  // A length in [0, max], biased towards the AES block edges where padding bugs live.
  length(max) {
    if (this.chance(0.25)) {
      return Math.min(max, this.pick([0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 255, 256, max]));
    }
    return this.int(0, max);
  }

  // Text whose UTF-8 form is at most maxBytes: ASCII, Latin-1, Greek, Cyrillic, CJK,
  // emoji (4-byte UTF-8) and combining marks. Never NUL (cannot travel in argv) and
  // never a lone surrogate (not representable as UTF-8).
  text(maxBytes) {
    const target = this.length(maxBytes);
    let out = '';
    let size = 0;
    for (;;) {
      const ch = String.fromCodePoint(this.codePoint());
      const n = Buffer.byteLength(ch);
      if (size + n > target) break;
      out += ch;
      size += n;
    }
    return out;
  }

  codePoint() {
    const ranges = [
      [0x20, 0x7e, 50], [0x09, 0x0a, 2], [0xa0, 0xff, 8], [0x100, 0x17f, 5], [0x391, 0x3c9, 5],
      [0x410, 0x44f, 5], [0x300, 0x36f, 3], [0x4e00, 0x9fff, 8], [0x1f300, 0x1faff, 8], [0xe000, 0xe0ff, 1],
    ];
    let roll = this.int(1, ranges.reduce((sum, r) => sum + r[2], 0));
    for (const [lo, hi, weight] of ranges) {
      roll -= weight;
      if (roll <= 0) return this.int(lo, hi);
    }
    return 0x41;
  }

  // A master password: 1..64 code points of mixed scripts, spaces allowed anywhere.
  // Not starting with '@' and not "-": the CLI reads those as a file name / stdin.
  password() {
    let pw = '';
    const n = this.int(1, 64);
    for (let i = 0; i < n; i++) {
      const cp = this.chance(0.1) ? 0x20 : this.codePoint();
      pw += String.fromCodePoint(cp === 0x09 || cp === 0x0a ? 0x20 : cp);
    }
    if (pw.startsWith('@') || pw === '-') pw = 'p' + pw;
    return pw;
  }

  // An email with mixed ASCII case and surrounding ASCII whitespace. With nonAsciiUpper the
  // local part also carries non-ASCII capitals (Ä, Ω, Ж ...), and with unicodeSpace the
  // padding includes non-ASCII white space (NBSP, em space, ideographic space): the clients
  // lower-case and trim with full Unicode rules.
  email({ nonAsciiUpper = false, unicodeSpace = false } = {}) {
    const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-';
    const caseless = ['数', '字', '🔑', 'ø', 'é', 'ß'];
    const upper = ['Ä', 'Ö', 'Ü', 'É', 'Ω', 'Σ', 'Ж', 'Я', 'Ł'];
    let local = '';
    const n = this.int(1, 20);
    for (let i = 0; i < n; i++) {
      if (nonAsciiUpper && this.chance(0.3)) local += this.pick(upper);
      else if (this.chance(0.1)) local += this.pick(caseless);
      else local += alpha[this.int(0, alpha.length - 1)];
    }
    if (nonAsciiUpper && !/[^\x00-\x7f]/.test(local)) local += this.pick(upper);
    const domain = this.pick(['Example.COM', 'example.com', 'BitWarden.Test', 'mail.EXAMPLE.org', 'x.Y']);
    const pad = unicodeSpace
      ? () => this.pick(['\u00a0', ' \u3000', '\u2003 ', '\u00a0\t'])
      : () => this.pick(['', '', ' ', '  ', '\t', ' \t ']);
    return `${pad()}${local}@${domain}${pad()}`;
  }
}

// ---- bytes ----

export const b64 = (u8) => Buffer.from(u8).toString('base64');
export const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
export const utf8 = (s) => new TextEncoder().encode(s);
export const bytesEqual = (a, b) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

// The WHATWG decoder in fatal mode (BOM kept) is as strict as Rust's String::from_utf8.
export function decodeUtf8OrNull(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

// Identifies a value in a failure message without printing it.
export function describe(value) {
  if (value === undefined || value === null) return String(value);
  const bytes = typeof value === 'string' ? utf8(value) : Buffer.from(value);
  const digest = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return `${bytes.length} bytes, sha256 ${digest}…`;
}

// ---- checks ----

export class Mismatch extends Error {}

export function expectBytes(what, ours, reference) {
  if (ours === undefined || ours === null || !bytesEqual(ours, reference)) {
    throw new Mismatch(`${what}: ours ${describe(ours)} vs reference ${describe(reference)}`);
  }
}

export function expectTrue(what, condition) {
  if (!condition) throw new Mismatch(what);
}

// Runs `fn` for the reference side and expects it to throw (a rejection both sides agree on).
export function expectReferenceRejects(what, fn) {
  let threw = false;
  try { fn(); } catch { threw = true; }
  if (!threw) throw new Mismatch(`${what}: the reference accepted it`);
}

// A failure's cause in one line. The SDK throws CryptoError (with .variant) or, from its RSA
// functions, a bare enum number.
function explain(e) {
  if (e?.name === 'CryptoError') return `reference threw CryptoError ${e.variant}`;
  if (e instanceof Error) return e.message;
  return `reference threw ${JSON.stringify(e)}`;
}

// Counts cases per section and prints each failure once, without key material.
export class Tally {
  constructor(seed) {
    this.seed = seed;
    this.passed = 0;
    this.failed = 0;
    this.sections = [];
  }

  section(name) {
    this.current = { name, passed: 0, failed: 0, started: performance.now() };
    this.sections.push(this.current);
  }

  // One case: `fn` throws on mismatch (Mismatch, a CLI error, or a reference error).
  run(label, fn) {
    try {
      fn();
      this.passed++;
      this.current.passed++;
    } catch (e) {
      this.failed++;
      this.current.failed++;
      if (this.current.failed <= 10) {
        console.log(`FAIL [${this.current.name}] ${label}: ${explain(e)}`);
      } else if (this.current.failed === 11) {
        console.log(`FAIL [${this.current.name}] ... further failures in this section not shown`);
      }
    }
  }

  endSection() {
    const s = this.current;
    const ms = (performance.now() - s.started).toFixed(0);
    console.log(`${s.failed ? 'FAIL' : 'ok  '} ${s.name}: ${s.passed} passed, ${s.failed} failed (${ms} ms)`);
  }
}
