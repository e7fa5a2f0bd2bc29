// One line of an agent's status file (JSON Lines), as written by the completion hook or by the
// agent itself. Lines come from programs we do not control, so every shape is checked and a bad
// line becomes a Problem with its file and line number instead of an exception.

import type { Problem } from '../model';
import { moduleNameError } from '../names';

export const AGENT_STATUSES = ['started', 'progress', 'complete', 'failed', 'needs-input'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/**
 * What an agent learned, for the agents of later phases (`conductor-hook discovery`), and where it
 * found the spec wrong (`spec-correction`). Such a line changes nothing about the module's state.
 */
export const DISCOVERY_KINDS = ['discovery', 'spec-correction'] as const;
export type DiscoveryKind = (typeof DISCOVERY_KINDS)[number];

/** Every `status` a line may carry: the module's progress, or a discovery. */
export const LINE_KINDS = [...AGENT_STATUSES, ...DISCOVERY_KINDS] as const;
export type LineKind = AgentStatus | DiscoveryKind;

export function isDiscoveryKind(kind: string): kind is DiscoveryKind {
  return (DISCOVERY_KINDS as readonly string[]).includes(kind);
}

export interface StatusEvent {
  module: string;
  /** Phase slug (`phase-2-catalog`) or number as text; null when the line does not say. */
  phase: string | null;
  featureId: string | null;
  /** The module's progress, or a discovery kind (see isDiscoveryKind). */
  status: LineKind;
  /** Milliseconds since the epoch. */
  ts: number;
  summary: string;
  filesCreated: string[];
  testsPassing: boolean | null;
  validationOutput: string | null;
  gotchas: string[];
  runId: string | null;
  /** The attempt's secret (CONDUCTOR_TOKEN) as the hook wrote it; the engine rejects lines without the right one. */
  token: string | null;
  /** 1-based attempt number; null when the writer did not know it. */
  attempt: number | null;
  /** The status file, as given by the reader (relative to the workspace root). */
  file: string;
  /** 1-based line number in that file. */
  line: number;
}

/** A line about the module's progress (not a discovery). */
export function isProgressEvent(e: StatusEvent): e is StatusEvent & { status: AgentStatus } {
  return !isDiscoveryKind(e.status);
}

export interface LineLocation {
  file: string;
  line: number;
}

export type ParsedStatusLine = { event: StatusEvent } | { problem: Problem };

/**
 * Per-module status files live at `…/status/<phase-slug>/<module>.jsonl`: there the path says which
 * module and phase the line is about. Any other file (the shared `status.jsonl`) must say it in the line.
 */
const PER_MODULE_FILE = /(?:^|\/)status\/([^/]+)\/([^/]+)\.jsonl$/;

// ISO-8601 date-time, with `T` or a space, optional seconds/fraction/offset (Python's isoformat()
// has no offset and is read as local time). Checked before Date.parse, which accepts far looser text.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

const MAX_QUOTED = 60;

/**
 * The longest status line read (1 MiB of characters; a real one is a few hundred). A longer one is
 * garbage or a runaway writer: it is reported and skipped, by whoever reads it (the watcher never
 * holds more than this of one line; a whole-file read after an agent exits refuses it here).
 */
export const MAX_STATUS_LINE_CHARS = 1024 * 1024;

/** Splits newly read text into complete lines; a trailing partial line is returned as the new carry. */
export function splitLines(buffer: string, carry: string): { lines: string[]; carry: string } {
  const pieces = (carry + buffer).split('\n');
  const rest = pieces.pop() ?? '';
  return { lines: pieces.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), carry: rest };
}

/** True for lines that carry nothing (blank lines are skipped, not reported). */
export function isBlankLine(text: string): boolean {
  return text.trim() === '';
}

export function parseStatusLine(text: string, where: LineLocation): ParsedStatusLine {
  const fail = (message: string): ParsedStatusLine => ({ problem: statusProblem(where, message) });
  if (text.length > MAX_STATUS_LINE_CHARS) return fail(`the line is longer than ${MAX_STATUS_LINE_CHARS} characters`);
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (isBlankLine(source)) return fail('the line is empty');

  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message}): ${quote(source)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(`expected a JSON object, found ${describe(raw)}`);
  }
  const obj = raw as Record<string, unknown>;

  const status = obj.status;
  if (status === undefined) return fail(`"status" is missing (one of ${LINE_KINDS.join(', ')})`);
  if (typeof status !== 'string' || !(LINE_KINDS as readonly string[]).includes(status)) {
    return fail(`"status" must be one of ${LINE_KINDS.join(', ')}, found ${describe(status)}`);
  }

  if (obj.ts === undefined) return fail('"ts" is missing (an ISO-8601 date-time)');
  const ts = typeof obj.ts === 'string' && ISO_DATE_TIME.test(obj.ts.trim()) ? Date.parse(obj.ts.trim()) : NaN;
  if (Number.isNaN(ts)) return fail(`"ts" must be an ISO-8601 date-time, found ${describe(obj.ts)}`);

  const fields = readFields(obj);
  if ('error' in fields) return fail(fields.error);
  if (isDiscoveryKind(status) && fields.summary.trim() === '') return fail(`a "${status}" line carries its text in "summary", which is empty`);

  const fromPath = PER_MODULE_FILE.exec(where.file);
  const module = fromPath ? fromPath[2] : (fields.module ?? fields.featureId);
  if (module === null) return fail('the line names no module: add "module" or "feature_id"');
  const nameError = moduleNameError(module);
  if (nameError) return fail(`module ${quote(module)} is not a valid module name: ${nameError}`);

  return {
    event: {
      module,
      phase: fromPath ? fromPath[1] : fields.phase,
      featureId: fields.featureId,
      status: status as LineKind,
      ts,
      summary: fields.summary,
      filesCreated: fields.filesCreated,
      testsPassing: fields.testsPassing,
      validationOutput: fields.validationOutput,
      gotchas: fields.gotchas,
      runId: fields.runId,
      token: fields.token,
      attempt: fields.attempt,
      file: where.file,
      line: where.line,
    },
  };
}

/** The event's optional fields; the module may also be missing here (the file path can name it). */
type OptionalFields = Pick<StatusEvent, 'phase' | 'featureId' | 'summary' | 'filesCreated' | 'testsPassing' | 'validationOutput' | 'gotchas' | 'runId' | 'token' | 'attempt'> & {
  module: string | null;
};

/** The optional fields, defaulted when absent or null; wrongly typed ones are reported together. */
function readFields(obj: Record<string, unknown>): OptionalFields | { error: string } {
  const errors: string[] = [];
  const text = (key: string): string | null => {
    const v = obj[key];
    if (v === undefined || v === null || typeof v === 'string') return v ?? null;
    errors.push(`"${key}" must be a string, found ${describe(v)}`);
    return null;
  };
  const list = (key: string): string[] => {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    const bad = Array.isArray(v) ? v.findIndex((item) => typeof item !== 'string') : -1;
    if (!Array.isArray(v)) errors.push(`"${key}" must be a list of strings, found ${describe(v)}`);
    else if (bad >= 0) errors.push(`"${key}" must be a list of strings, item ${bad + 1} is ${describe(v[bad])}`);
    else return v as string[];
    return [];
  };
  // Phase numbers are natural in hand-written lines (`"phase": 2`); the engine writes slugs.
  const phase = (): string | null => {
    const v = obj.phase;
    if (v === undefined || v === null || typeof v === 'string') return v ?? null;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    errors.push(`"phase" must be a phase slug or number, found ${describe(v)}`);
    return null;
  };
  const testsPassing = (): boolean | null => {
    const v = obj.tests_passing;
    if (v === undefined || v === null || typeof v === 'boolean') return v ?? null;
    errors.push(`"tests_passing" must be true, false or null, found ${describe(v)}`);
    return null;
  };
  // Attempts come from an environment variable, so a digit string is accepted as well as a number.
  const attempt = (): number | null => {
    const v = obj.attempt;
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) return v;
    if (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) >= 1) return Number(v);
    errors.push(`"attempt" must be a positive whole number, found ${describe(v)}`);
    return null;
  };

  const fields: OptionalFields = {
    module: text('module'),
    phase: phase(),
    featureId: text('feature_id'),
    summary: text('summary') ?? '',
    filesCreated: list('files_created'),
    testsPassing: testsPassing(),
    validationOutput: text('validation_output'),
    gotchas: list('gotchas_encountered'),
    runId: text('run_id'),
    token: text('token'),
    attempt: attempt(),
  };
  return errors.length > 0 ? { error: errors.join('; ') } : fields;
}

/** A `malformed-status` problem at the start of the given line; the reader skips that line. */
export function statusProblem(where: LineLocation, message: string): Problem {
  return {
    file: where.file,
    line: where.line,
    column: 1,
    severity: 'warning',
    code: 'malformed-status',
    message: `Malformed status line: ${message}. The line is skipped.`,
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function quote(s: string): string {
  return JSON.stringify(s.length > MAX_QUOTED ? `${s.slice(0, MAX_QUOTED)}…` : s);
}
