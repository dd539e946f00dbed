// Drives `keywarden crypto <verb>`: one process per call, one JSON object on stdout.
// Exit codes: 0 ok, 1 crypto failure, 2 bad usage or malformed input.
import { spawnSync } from 'node:child_process';

export class CliError extends Error {
  constructor(verb, status, detail) {
    super(`keywarden crypto ${verb} exited ${status}: ${detail}`);
    this.status = status;
  }
}

export class KeywardenCli {
  constructor(path) {
    this.path = path;
    this.calls = 0;
  }

  // Runs a verb; `flags` maps option names to values, passed as --name=value so that a value
  // starting with '-' is never taken for an option. CLI11 reads "--name=" as a missing value,
  // so an empty value goes as its own argument. Returns { status, json, stderr }.
  invoke(verb, flags = {}, { input } = {}) {
    const args = ['crypto', verb];
    for (const [name, value] of Object.entries(flags)) {
      if (value === '') args.push(`--${name}`, '');
      else args.push(`--${name}=${value}`);
    }
    this.calls++;
    const r = spawnSync(this.path, args, { input, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.error) throw new CliError(verb, 'spawn', r.error.message);
    let json = null;
    try { json = JSON.parse(r.stdout); } catch { /* reported by the callers that need it */ }
    return { status: r.status ?? `signal ${r.signal}`, json, stderr: r.stderr };
  }

  // Like invoke, but anything except exit 0 with a JSON object is an error.
  run(verb, flags, options) {
    const r = this.invoke(verb, flags, options);
    if (r.status !== 0 || r.json === null || typeof r.json !== 'object') {
      throw new CliError(verb, r.status, summarize(r));
    }
    return r.json;
  }

  // Expects a clean crypto failure (exit 1), as for a wrong key or a tampered MAC.
  expectFailure(verb, flags, options) {
    const r = this.invoke(verb, flags, options);
    if (r.status !== 1) throw new CliError(verb, r.status, `expected exit 1; ${summarize(r)}`);
  }
}

// The CLI's own error message (one line, no key material by contract), or the first stderr line.
function summarize(r) {
  const message = r.json?.error?.message ?? r.json?.error ?? r.json?.message;
  if (message) return String(message).slice(0, 200);
  const line = (r.stderr || '').split('\n').find((l) => l.trim() !== '') || '';
  return line ? `stderr: ${line.slice(0, 200)}` : 'no error message';
}
