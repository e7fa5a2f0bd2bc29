// Reads `.conductor/state.json` defensively: the file may be from another version, half-written
// by a crashed older build, or edited by hand. Anything off is reported with what is wrong (the
// first field that is), never a crash; a file from a newer version is told apart, since it must be
// left alone rather than rebuilt.
import { MODULE_STATES, STATE_VERSION, type RunStateFile } from './model';

export type StateRead =
  | { ok: true; state: RunStateFile }
  /** `newerVersion`: the file's version, when it is a newer one than this build reads. */
  | { ok: false; reason: string; newerVersion: number | null };

type Check = [field: string, ok: (v: unknown) => boolean, expected: string];

const isString = (v: unknown): boolean => typeof v === 'string';
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';
const isInt = (v: unknown): boolean => Number.isInteger(v);
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

const MODULE_CHECKS: Check[] = [
  ['id', isString, 'a string'],
  ['state', (v) => (MODULE_STATES as readonly unknown[]).includes(v), `one of ${MODULE_STATES.join(', ')}`],
  ['attempts', isInt, 'a whole number'],
  ['attemptLimit', isInt, 'a whole number'],
  ['wave', isInt, 'a whole number'],
  ['dependsOn', isStringList, 'a list of strings'],
  ['branch', isString, 'a string'],
  ['worktree', isString, 'a string'],
  ['startedAt', isNullableString, 'a string or null'],
  ['finishedAt', isNullableString, 'a string or null'],
  ['baseCommit', isNullableString, 'a string or null'],
  ['lastSummary', isNullableString, 'a string or null'],
  ['pid', (v) => v === null || isInt(v), 'a whole number or null'],
  ['reportedComplete', (v) => typeof v === 'boolean', 'true or false'],
  ['filesCreated', Array.isArray, 'a list'],
];

const PHASE_CHECKS: Check[] = [
  ['number', isInt, 'a whole number'],
  ['slug', isString, 'a string'],
  ['runId', isString, 'a string'],
  ['state', (v) => ['running', 'done', 'halted'].includes(v as string), 'running, done or halted'],
  ['baseCommit', isString, 'a string'],
  ['startedAt', isString, 'a string'],
  ['maxParallel', isInt, 'a whole number'],
  ['retries', isInt, 'a whole number'],
  ['modules', Array.isArray, 'a list'],
];

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** What is wrong with the first field that is, or null. */
function wrongField(value: Record<string, unknown>, checks: readonly Check[]): string | null {
  for (const [field, ok, expected] of checks) {
    if (!(field in value)) return `${field} is missing`;
    if (!ok(value[field])) return `${field} is not ${expected}`;
  }
  return null;
}

function phaseProblem(p: unknown): string | null {
  if (!isObject(p)) return 'is not an object';
  const wrong = wrongField(p, PHASE_CHECKS);
  if (wrong) return wrong;
  if ('waveChecks' in p && p.waveChecks !== undefined) {
    const checks = p.waveChecks;
    const ok = Array.isArray(checks) && checks.every((c) => isObject(c) && Array.isArray(c.deps) && Array.isArray(c.heads) && typeof c.passed === 'boolean' && isString(c.summary));
    if (!ok) return 'waveChecks is not a list of checks (deps, heads, passed, summary)';
  }
  for (const [i, m] of (p.modules as unknown[]).entries()) {
    const label = isObject(m) && typeof m.id === 'string' ? `module ${m.id}` : `module #${i + 1}`;
    if (!isObject(m)) return `${label} is not an object`;
    const mw = wrongField(m, MODULE_CHECKS);
    if (mw) return `${label}: ${mw}`;
  }
  return null;
}

export function parseState(text: string): StateRead {
  const fail = (reason: string, newerVersion: number | null = null): StateRead => ({ ok: false, reason, newerVersion });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (!isObject(data)) return fail('not a JSON object');
  const version = data.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION) {
    return fail(`state version ${version}; this build reads version ${STATE_VERSION}`, version);
  }
  if (version !== STATE_VERSION) return fail(`"version" is ${JSON.stringify(version) ?? 'missing'}, not ${STATE_VERSION}`);
  if (!('phases' in data)) return fail('phases is missing');
  if (!isObject(data.phases)) return fail('phases is not an object');
  for (const [slug, phase] of Object.entries(data.phases)) {
    const wrong = phaseProblem(phase);
    if (wrong) return fail(`phase ${slug}: ${wrong}`);
  }
  return { ok: true, state: data as unknown as RunStateFile };
}
