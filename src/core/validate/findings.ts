// What validating an integrated phase found, and the parser that turns tool output (tsc, eslint,
// compilers, test runners, Python tracebacks) into findings with repository-relative file positions.
import { TracebackReader, type TracebackFinding } from './pythonTraceback';

export type FindingSource = 'expected-files' | CommandKind | 'todo-scan' | 'conflict';
export type FindingSeverity = 'error' | 'warning' | 'info';

export interface Finding {
  source: FindingSource;
  /** Repository-relative path with forward slashes; an absolute path when it lies outside the
   * worktree (such a finding is never attributed to a module); null when no file is named. */
  file: string | null;
  line: number | null;
  column: number | null;
  severity: FindingSeverity;
  message: string;
  /** The module whose branch last changed `file`: the agent to send back. */
  module: string | null;
}

/** Validation steps that run a command from the phase (Test, Lint and Check Commands). */
export type CommandKind = 'test-command' | 'lint-command' | 'check-command';
export type ValidationKind = 'expected-files' | CommandKind | 'todo-scan';

export function isCommandKind(kind: string): kind is CommandKind {
  return kind === 'test-command' || kind === 'lint-command' || kind === 'check-command';
}

/** One validation step over the integrated result. */
export interface ValidationResult {
  kind: ValidationKind;
  /** The command as written; null for the kinds that run none. */
  command: string | null;
  /** Exit code of the (first failing) step; null when it did not run, timed out or was killed. */
  exitCode: number | null;
  durationMs: number;
  /** Last lines of the command's output, colour codes removed. */
  outputTail: string;
  findings: Finding[];
}

export interface OutputContext {
  /** Absolute folder the command ran in; relative paths in the output are taken from it. */
  cwd: string;
  /** Absolute root of the integration worktree; paths inside it become relative to it. */
  worktreeRoot: string;
}

/** Findings kept per command; a note says how many more there were. */
export const MAX_FINDINGS_PER_COMMAND = 500;
// Lines longer than this are not tool diagnostics (minified code, data dumps) and slow the patterns.
const MAX_LINE = 4000;

// CSI sequences (colours, cursor moves), OSC sequences (hyperlinks, titles) and lone escapes.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

type Raw = { file: string; line: number; column: number | null; severity: FindingSeverity; message: string };

// A path as tools print it: no spaces or colons (one greedy run, so matching stays linear; that it
// holds a `.` or `/` — so `12:30:45: …` is no path — is checked afterwards).
const PATH = String.raw`(?<file>[^\s:()'"<>|]+)`;

// `src/a.ts(3,5): error TS2322: Type 'x' is not assignable…` (tsc without --pretty)
const TSC = new RegExp(String.raw`^${PATH}\((?<line>\d+),(?<col>\d+)\): (?<sev>error|warning|message) (?<msg>TS\d+: .*)$`);
// `src/a.ts:3:5 - error TS2322: …` (tsc --pretty)
const TSC_PRETTY = new RegExp(String.raw`^${PATH}:(?<line>\d+):(?<col>\d+) - (?<sev>error|warning|message) (?<msg>TS\d+: .*)$`);
// `/abs/src/a.ts:3:5: 'x' is defined but never used. [Error/no-unused-vars]` (eslint -f unix)
const ESLINT_UNIX = new RegExp(String.raw`^${PATH}:(?<line>\d+):(?<col>\d+): (?<msg>.*) \[(?<sev>Error|Warning)(?:/(?<rule>[^\]]+))?\]$`);
// `/abs/src/a.ts: line 3, col 5, Error - 'x' is defined but never used. (no-unused-vars)` (eslint -f compact)
const ESLINT_COMPACT = new RegExp(String.raw`^${PATH}: line (?<line>\d+), col (?<col>\d+), (?<sev>Error|Warning) - (?<msg>.*)$`);
// `path:line:col: message` and `path:line: message` (gcc, go vet, pytest, flake8, most linters)
const GENERIC = new RegExp(String.raw`^${PATH}:(?<line>\d+):(?:(?<col>\d+):)? (?<msg>\S.*)$`);
// eslint's default "stylish" format: a file line, then `  3:5  error  message  rule` lines.
const STYLISH_ITEM = /^\s+(?<line>\d+):(?<col>\d+)\s+(?<sev>error|warning)\s+(?<msg>.+?)(?:\s{2,}(?<rule>[@\w/-]+))?$/;

function severityOf(word: string | undefined): FindingSeverity | null {
  switch (word?.toLowerCase()) {
    case 'error':
    case 'fatal':
    case 'fatal error':
      return 'error';
    case 'warning':
    case 'warn':
      return 'warning';
    case 'note':
    case 'info':
    case 'message':
      return 'info';
    default:
      return null;
  }
}

/**
 * `error: msg` / `warning[W1]: msg` at the start of a generic message sets its severity and is
 * removed; a bare leading word (`warning unused x`) sets the severity but stays in the message.
 * Without either, a finding is an error (the validator downgrades those of passing commands).
 */
function genericSeverity(msg: string): { severity: FindingSeverity; message: string } {
  const m = /^(fatal error|error|warning|warn|note|info)(\[[^\]]*\])?(:?)\s+(.*)$/i.exec(msg);
  const severity = m ? severityOf(m[1]) : null;
  if (!m || !severity) return { severity: 'error', message: msg };
  return { severity, message: m[3] ? m[4] : msg };
}

function looksLikePath(file: string): boolean {
  return /[./]/.test(file) && !/^[\d.]+$/.test(file);
}

/** A line that is only a file name (an absolute path, or a name with an extension) opens a stylish block. */
function stylishFileOf(line: string): string | null {
  if (line.startsWith('/') && !line.startsWith('//')) return line;
  if (/[\s:]/.test(line)) return null;
  const dot = line.lastIndexOf('.');
  return dot > 0 && /^[A-Za-z0-9]+$/.test(line.slice(dot + 1)) ? line : null;
}

function parseLine(line: string, stylishFile: string | null): Raw | null {
  let m = TSC.exec(line) ?? TSC_PRETTY.exec(line);
  if (m?.groups) {
    const g = m.groups;
    return { file: g.file, line: +g.line, column: +g.col, severity: severityOf(g.sev) ?? 'error', message: g.msg };
  }
  m = ESLINT_UNIX.exec(line);
  if (m?.groups) {
    const g = m.groups;
    const rule = g.rule ? ` (${g.rule})` : '';
    return { file: g.file, line: +g.line, column: +g.col, severity: severityOf(g.sev) ?? 'error', message: g.msg + rule };
  }
  m = ESLINT_COMPACT.exec(line);
  if (m?.groups) {
    const g = m.groups;
    return { file: g.file, line: +g.line, column: +g.col, severity: severityOf(g.sev) ?? 'error', message: g.msg };
  }
  m = stylishFile === null ? null : STYLISH_ITEM.exec(line);
  if (m?.groups && stylishFile !== null) {
    const g = m.groups;
    const rule = g.rule ? ` (${g.rule})` : '';
    return { file: stylishFile, line: +g.line, column: +g.col, severity: severityOf(g.sev) ?? 'error', message: g.msg + rule };
  }
  m = GENERIC.exec(line);
  // Not a time, an address or a version: `12:30:45: …`, `10.0.0.1:8080: refused`, `1.2:3: …`.
  if (m?.groups && looksLikePath(m.groups.file)) {
    const g = m.groups;
    return { file: g.file, line: +g.line, column: g.col ? +g.col : null, ...genericSeverity(g.msg) };
  }
  return null;
}

/** Normalises a POSIX path: collapses `.`, `..` and repeated slashes (keeps a leading `/`). */
function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(part);
  }
  return (abs ? '/' : '') + out.join('/');
}

/** The path relative to the worktree root, or the absolute path when it lies outside it. */
export function repoRelative(file: string, ctx: OutputContext): string {
  const cleaned = file.replace(/^file:\/\//, '');
  const abs = normalize(cleaned.startsWith('/') ? cleaned : `${ctx.cwd}/${cleaned}`);
  const root = normalize(ctx.worktreeRoot);
  if (abs === root) return '.';
  const prefix = root === '/' ? '/' : `${root}/`;
  return abs.startsWith(prefix) ? abs.slice(prefix.length) : abs;
}

/** Whether a finding's file was mapped into the worktree (and so can be attributed to a module). */
export function isRepoRelative(file: string | null): file is string {
  return file !== null && !file.startsWith('/');
}

/**
 * Findings in a command's output, in order of appearance, duplicates removed, at most
 * MAX_FINDINGS_PER_COMMAND (plus one info finding saying how many more there were).
 */
export function parseToolOutput(output: string, ctx: OutputContext, source: CommandKind = 'test-command'): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let omitted = 0;
  let stylishFile: string | null = null;
  const traceback = new TracebackReader((file) => isRepoRelative(repoRelative(file, ctx)));
  const add = (raw: Raw): void => {
    const finding: Finding = {
      source,
      file: repoRelative(raw.file, ctx),
      line: raw.line,
      column: raw.column,
      severity: raw.severity,
      message: raw.message.trim(),
      module: null,
    };
    const key = `${finding.file}\u0000${finding.line}\u0000${finding.column}\u0000${finding.severity}\u0000${finding.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (findings.length < MAX_FINDINGS_PER_COMMAND) findings.push(finding);
    else omitted++;
  };
  const fromTraceback = (t: TracebackFinding | null): void => {
    if (t) add({ ...t, column: null, severity: 'error' });
  };
  for (const rawLine of stripAnsi(output).split(/\r?\n/)) {
    const line = rawLine.replace(/\s+$/, '');
    if (line.length === 0 || line.length > MAX_LINE) {
      if (line.length === 0) stylishFile = null;
      continue;
    }
    const read = traceback.read(line);
    fromTraceback(read.finding);
    if (read.consumed) continue;
    const raw = parseLine(line, stylishFile);
    if (raw === null) {
      // A line that is only a path opens a block of eslint "stylish" items.
      stylishFile = stylishFileOf(line);
      continue;
    }
    add(raw);
  }
  fromTraceback(traceback.flush());
  if (omitted > 0) {
    findings.push({
      source, file: null, line: null, column: null, severity: 'info', module: null,
      message: `${omitted} more finding${omitted === 1 ? '' : 's'} not listed (only the first ${MAX_FINDINGS_PER_COMMAND} are kept)`,
    });
  }
  return findings;
}
