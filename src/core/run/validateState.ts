// Reads `.conductor/state.json` defensively: the file may be from another version, half-written
// by a crashed older build, or edited by hand. Anything off means "rebuild", never a crash.
import { MODULE_STATES, STATE_VERSION, type ModuleRecord, type PhaseRun, type RunStateFile } from './model';

export type StateRead = { ok: true; state: RunStateFile } | { ok: false; reason: string };

const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v);

function moduleOk(m: unknown): m is ModuleRecord {
  if (!m || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  return (
    isString(r.id) &&
    (MODULE_STATES as readonly unknown[]).includes(r.state) &&
    isInt(r.attempts) &&
    isInt(r.attemptLimit) &&
    isInt(r.wave) &&
    Array.isArray(r.dependsOn) &&
    r.dependsOn.every(isString) &&
    isString(r.branch) &&
    isString(r.worktree) &&
    isNullableString(r.startedAt) &&
    isNullableString(r.finishedAt) &&
    isNullableString(r.baseCommit) &&
    isNullableString(r.lastSummary) &&
    (r.pid === null || isInt(r.pid)) &&
    typeof r.reportedComplete === 'boolean' &&
    Array.isArray(r.filesCreated)
  );
}

function phaseOk(p: unknown): p is PhaseRun {
  if (!p || typeof p !== 'object') return false;
  const r = p as Record<string, unknown>;
  return (
    isInt(r.number) &&
    isString(r.slug) &&
    isString(r.runId) &&
    ['running', 'done', 'halted'].includes(r.state as string) &&
    isString(r.baseCommit) &&
    isString(r.startedAt) &&
    isInt(r.maxParallel) &&
    isInt(r.retries) &&
    Array.isArray(r.modules) &&
    r.modules.every(moduleOk)
  );
}

export function parseState(text: string): StateRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON (${(e as Error).message})` };
  }
  if (!data || typeof data !== 'object') return { ok: false, reason: 'not an object' };
  const d = data as Record<string, unknown>;
  if (d.version !== STATE_VERSION) return { ok: false, reason: `version ${String(d.version)} is not ${STATE_VERSION}` };
  if (!d.phases || typeof d.phases !== 'object') return { ok: false, reason: 'no phases' };
  for (const [slug, phase] of Object.entries(d.phases)) {
    if (!phaseOk(phase)) return { ok: false, reason: `phase ${slug} is malformed` };
  }
  return { ok: true, state: data as RunStateFile };
}
