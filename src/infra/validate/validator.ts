// Validates a phase's merged result in the integration worktree: the expected files exist, the check,
// lint and test commands pass (each parsed into argument vectors, never run by a shell; their
// `file:line` diagnostics become findings), and the lines the phase added carry no TODO-style markers.
// Each finding names the module whose branch last changed its file. Running commands is the caller's
// decision (trusted repositories only): pass none to run none.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { Located, PlannedPhase } from '../../core/model';
import { attributeFindings } from '../../core/validate/attribution';
import { parseCommandLine } from '../../core/validate/commandLine';
import { isRepoRelative, parseToolOutput, repoRelative, type CommandKind, type Finding, type ValidationResult } from '../../core/validate/findings';
import { scanAddedLines } from '../../core/validate/todoScan';
import { GitRunner, type GitExec } from '../git/gitRunner';
import { runCommandSteps } from './runCommand';

export type { Finding, ValidationResult } from '../../core/validate/findings';

export interface ValidateInput {
  /** The integration worktree (absolute path). */
  worktree: string;
  /** The phase's base commit: lines added since it are the phase's. */
  base: string;
  phase: PlannedPhase;
  /** Test commands as written (usually the phase's Test Commands, or a settings override). */
  commands: readonly string[];
  /** The phase's Lint Commands and Check Commands; none when absent. */
  lintCommands?: readonly string[];
  checkCommands?: readonly string[];
  /** Repository-relative file -> module whose branch last changed it. */
  lastTouchedBy: ReadonlyMap<string, string>;
  /** Per command; 10 minutes by default. */
  timeoutMs?: number;
  /** Added to the environment of the commands. */
  env?: Record<string, string>;
}

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

const GLOB_CHARS = /[*?[\]{}]/;

export class Validator {
  constructor(private readonly git: GitExec = new GitRunner()) {}

  /**
   * One result for the expected files, one per command — checks, then lints, then tests: the quick
   * static ones first — and one for the TODO scan, in that order.
   */
  async validate(input: ValidateInput): Promise<ValidationResult[]> {
    const results: ValidationResult[] = [await this.expectedFiles(input)];
    const commands: [CommandKind, readonly string[]][] = [
      ['check-command', input.checkCommands ?? []],
      ['lint-command', input.lintCommands ?? []],
      ['test-command', input.commands],
    ];
    for (const [kind, list] of commands) for (const command of list) results.push(await this.runCommand(kind, command, input));
    results.push(await this.todoScan(input));
    return results.map((r) => ({ ...r, findings: attributeFindings(r.findings, input.lastTouchedBy) }));
  }

  private async expectedFiles(input: ValidateInput): Promise<ValidationResult> {
    const started = Date.now();
    // Files a module's section lists are that module's to deliver; the phase's list names nobody.
    const wanted: { entry: Located; module: string | null }[] = [
      ...input.phase.expectedFiles.map((entry) => ({ entry, module: null })),
      ...input.phase.modules.flatMap((m) => m.expectedFiles.map((entry) => ({ entry, module: m.id }))),
    ];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    let listing: Promise<string[]> | null = null;
    for (const { entry, module } of wanted) {
      const want = entry.value.trim().replace(/^\.\//, '');
      const key = `${module}\u0000${want}`;
      if (want === '' || seen.has(key)) continue;
      seen.add(key);
      const where = `Expected Files, line ${entry.line}`;
      const problem = await this.missing(input.worktree, want, () => (listing ??= this.listFiles(input.worktree)));
      if (problem) {
        findings.push({ source: 'expected-files', file: want, line: null, column: null, severity: 'error', message: `${problem} (${where})`, module });
      }
    }
    return { kind: 'expected-files', command: null, exitCode: null, durationMs: Date.now() - started, outputTail: '', findings };
  }

  /** Why an expected path is not there, or null when it is. */
  private async missing(worktree: string, want: string, files: () => Promise<string[]>): Promise<string | null> {
    const rel = repoRelative(want, { cwd: worktree, worktreeRoot: worktree });
    if (!isRepoRelative(rel)) return `${want} is outside the repository`;
    if (GLOB_CHARS.test(want)) {
      const match = picomatch(rel.replace(/\/$/, ''), { dot: true });
      let all: string[];
      try {
        all = await files();
      } catch (e) {
        return `cannot check ${want}: ${e instanceof Error ? e.message : String(e)}`;
      }
      const found = all.some((f) => match(f) || dirsOf(f).some((d) => match(d)));
      return found ? null : `no file matches ${want}`;
    }
    const st = await fs.stat(path.join(worktree, rel)).catch(() => null);
    if (st === null) return `${want} does not exist`;
    if (want.endsWith('/') && !st.isDirectory()) return `${want} is not a folder`;
    return null;
  }

  /** Files in the worktree: tracked, and untracked ones that are not ignored. */
  private async listFiles(worktree: string): Promise<string[]> {
    const r = await this.git.run(worktree, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { readOnly: true });
    return r.stdout.split('\0').filter(Boolean);
  }

  private async runCommand(kind: CommandKind, command: string, input: ValidateInput): Promise<ValidationResult> {
    const parsed = parseCommandLine(command);
    const result = (exitCode: number | null, durationMs: number, outputTail: string, findings: Finding[]): ValidationResult =>
      ({ kind, command, exitCode, durationMs, outputTail, findings });
    const failure = (message: string): Finding =>
      ({ source: kind, file: null, line: null, column: null, severity: 'error', message, module: null });
    if ('error' in parsed) return result(null, 0, '', [failure(`cannot run ${JSON.stringify(command)}: ${parsed.error}`)]);

    const outcome = await runCommandSteps(parsed.steps, {
      cwd: input.worktree,
      env: input.env ?? {},
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    let findings = await this.outputFindings(outcome.output, input.worktree, kind);
    const passed = outcome.exitCode === 0 && outcome.failure === null;
    if (passed) {
      // The exit code is the verdict: what a passing command prints cannot fail the phase.
      findings = findings.map((f) => (f.severity === 'error' ? { ...f, severity: 'warning' } : f));
    } else if (outcome.failure !== null) {
      findings.push(failure(`${JSON.stringify(command)} ${outcome.failure}`));
    } else if (!findings.some((f) => f.severity === 'error')) {
      findings.push(failure(`${JSON.stringify(command)} exited with ${outcome.exitCode}`));
    }
    return result(outcome.exitCode, outcome.durationMs, outcome.tail, findings);
  }

  /** Tool output findings; paths printed through the worktree's real path are mapped back too. */
  private async outputFindings(output: string, worktree: string, kind: CommandKind): Promise<Finding[]> {
    const findings = parseToolOutput(output, { cwd: worktree, worktreeRoot: worktree }, kind);
    const real = await fs.realpath(worktree).catch(() => worktree);
    if (real === worktree) return findings;
    return findings.map((f) => (f.file !== null && !isRepoRelative(f.file) ? { ...f, file: repoRelative(f.file, { cwd: real, worktreeRoot: real }) } : f));
  }

  private async todoScan(input: ValidateInput): Promise<ValidationResult> {
    const started = Date.now();
    const done = (findings: Finding[]): ValidationResult =>
      ({ kind: 'todo-scan', command: null, exitCode: null, durationMs: Date.now() - started, outputTail: '', findings });
    let diff: string;
    try {
      diff = (await this.git.run(input.worktree, [
        '-c', 'core.quotePath=false', 'diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames',
        '--src-prefix=a/', '--dst-prefix=b/', input.base, 'HEAD', '--',
      ], { readOnly: true })).stdout;
    } catch (e) {
      const message = `could not read the lines the phase added: ${e instanceof Error ? e.message : String(e)}`;
      return done([{ source: 'todo-scan', file: null, line: null, column: null, severity: 'error', message, module: null }]);
    }
    return done(scanAddedLines(diff).map((m) => ({
      source: 'todo-scan',
      file: m.file,
      line: m.line,
      column: m.column,
      severity: 'warning',
      message: `${m.marker} in an added line: ${m.text}`,
      module: null,
    })));
  }
}

/** The folders a file lies in: `a/b/c.ts` -> `a`, `a/b`. */
function dirsOf(file: string): string[] {
  const parts = file.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}
