// Differential tests: the keywarden CLI against Bitwarden's reference crypto
// (@bitwarden/sdk-internal, WebAssembly) on seeded random inputs, in both directions.
//
//   KEYWARDEN_CLI=build/debug/src/keywarden node tests/interop/differential.mjs
//
// Environment: KEYWARDEN_CLI (required), INTEROP_SEED (replay a run), INTEROP_SCALE (case
// count multiplier, e.g. 0.2 under sanitizers), KEYWARDEN_EFF_WORDLIST (for the fingerprint).
// Exit 0 all agree, 1 a mismatch, 77 skipped (package or CLI absent; in CI that fails instead).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkFingerprint, checkRecovery, checkTrustedDevice } from './check_devices.mjs';
import { checkMalformed } from './check_malformed.mjs';
import { checkMasterKey } from './check_master_key.mjs';
import { checkRsa, makeKeyPairs } from './check_rsa.mjs';
import { checkSymmetric } from './check_symmetric.mjs';
import { checkUserKey } from './check_user_key.mjs';
import { Prng, Tally } from './harness.mjs';
import { KeywardenCli } from './keywarden_cli.mjs';
import { loadEffWordList } from './node_crypto_helpers.mjs';

const kSkip = 77;
const kPackage = '@bitwarden/sdk-internal';
const here = path.dirname(fileURLToPath(import.meta.url));

// The suite's skip policy (tests/support/skip.h): a missing prerequisite skips the test, except
// in CI (the CI environment variable set and not empty), which installs everything: there it
// fails with the same reason.
const kInCi = Boolean(process.env.CI);

function skip(why) {
  if (kInCi) {
    console.log(`FAIL: ${why} (required in CI: the CI environment variable is set)`);
    process.exit(1);
  }
  console.log(`skipped: ${why}`);
  process.exit(kSkip);
}

// The reference, at exactly the version package.json pins (other builds may behave differently).
function loadReference() {
  const pinned = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8')).dependencies[kPackage];
  const require = createRequire(path.join(here, 'package.json'));
  let installed;
  try {
    installed = JSON.parse(fs.readFileSync(require.resolve(`${kPackage}/package.json`), 'utf8')).version;
  } catch {
    skip(`${kPackage} is not installed; run "npm install --no-package-lock" in ${here}`);
  }
  if (installed !== pinned) skip(`${kPackage} ${installed} is installed but ${pinned} is pinned; reinstall`);
  return require(kPackage).PureCrypto;
}

function findCli() {
  const cli = process.env.KEYWARDEN_CLI;
  if (!cli) skip('KEYWARDEN_CLI is not set (path to the keywarden binary)');
  if (!fs.existsSync(cli)) skip(`KEYWARDEN_CLI=${cli} does not exist; build the keywarden target`);
  return new KeywardenCli(cli);
}

function main() {
  if (Number(process.versions.node.split('.')[0]) < 20) skip(`node ${process.versions.node} is older than 20`);
  const P = loadReference();
  const cli = findCli();
  const help = cli.invoke('--help');
  if (help.status !== 0) {
    console.log(`FAIL: "${cli.path} crypto --help" exited ${help.status}; the crypto subcommand is missing`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }

  const seed = process.env.INTEROP_SEED ? Number(process.env.INTEROP_SEED) >>> 0 : crypto.randomInt(2 ** 31);
  const scale = process.env.INTEROP_SCALE ? Number(process.env.INTEROP_SCALE) : 1;
  console.log(`seed ${seed} (replay with INTEROP_SEED=${seed}), scale ${scale}, cli ${cli.path}`);

  const started = performance.now();
  const ctx = {
    P,
    cli,
    rng: new Prng(seed),
    tally: new Tally(seed),
    count: (n) => Math.max(1, Math.round(n * scale)),
    words: loadEffWordList(process.env.KEYWARDEN_EFF_WORDLIST ||
                           '/usr/lib/python3/dist-packages/diceware/wordlists/wordlist_en_eff.txt'),
  };
  checkSymmetric(ctx);
  checkUserKey(ctx);
  checkMasterKey(ctx);
  const pairs = makeKeyPairs(ctx);
  checkRsa(ctx, pairs);
  checkMalformed(ctx, pairs);
  checkTrustedDevice(ctx);
  checkRecovery(ctx, pairs);
  if (!ctx.words) {
    console.log('note: EFF word list not found; fingerprint phrases not compared');
    if (kInCi) {
      ctx.tally.section('eff word list');
      ctx.tally.run('the EFF long word list is required in CI', () => {
        throw new Error('not found (KEYWARDEN_EFF_WORDLIST; Debian: apt-get install diceware)');
      });
      ctx.tally.endSection();
    }
  }
  checkFingerprint(ctx, pairs);

  const { passed, failed } = ctx.tally;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${cli.calls} CLI calls in ${seconds} s; seed ${seed}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
