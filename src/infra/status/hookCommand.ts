// The completion hook an agent runs to report progress: `"$CONDUCTOR_HOOK" complete --summary "…"`.
// It appends one JSON line to $CONDUCTOR_STATUS_FILE with a single O_APPEND write, so lines from
// concurrent writers never interleave, and takes who is reporting from the environment the engine set.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_STATUSES, type AgentStatus } from '../../core/status/statusLine';

export interface HookResult {
  exitCode: number;
  /** One line for the user: usage or error text on failure, help text for `--help`. */
  message?: string;
}

/** The JSON shape written per line (snake_case, as in the seed documents). */
export interface StatusLineRecord {
  feature_id: string | null;
  module: string | null;
  phase: string | null;
  status: AgentStatus;
  ts: string;
  summary: string;
  files_created: string[];
  tests_passing: boolean | null;
  validation_output: string | null;
  gotchas_encountered: string[];
  run_id: string | null;
  attempt: number | null;
}

const USAGE =
  `usage: conductor-hook <${AGENT_STATUSES.join('|')}> [--summary TEXT] [--files a,b] [--file PATH]... ` +
  '[--tests-passing true|false] [--validation-output TEXT] [--gotcha TEXT]...';

const USAGE_ERROR = 2;

interface HookArgs {
  status: AgentStatus;
  summary: string;
  files: string[];
  testsPassing: boolean | null;
  validationOutput: string | null;
  gotchas: string[];
}

export function runHook(argv: string[], env: NodeJS.ProcessEnv): HookResult {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')) {
    return { exitCode: 0, message: USAGE };
  }
  const args = parseHookArgs(argv);
  if (typeof args === 'string') return { exitCode: USAGE_ERROR, message: `conductor-hook: ${args} (conductor-hook --help shows the usage)` };

  const target = env.CONDUCTOR_STATUS_FILE;
  if (!target) {
    return {
      exitCode: USAGE_ERROR,
      message: 'conductor-hook: CONDUCTOR_STATUS_FILE is not set; run this hook from an agent started by Spec Conductor.',
    };
  }
  const attempt = parseAttempt(env.CONDUCTOR_ATTEMPT);
  if (attempt === undefined) {
    return { exitCode: USAGE_ERROR, message: `conductor-hook: CONDUCTOR_ATTEMPT must be a positive whole number, found ${JSON.stringify(env.CONDUCTOR_ATTEMPT)}.` };
  }

  const record: StatusLineRecord = {
    feature_id: env.CONDUCTOR_FEATURE_ID || null,
    module: env.CONDUCTOR_MODULE || null,
    phase: env.CONDUCTOR_PHASE || null,
    status: args.status,
    ts: new Date().toISOString(),
    summary: args.summary,
    files_created: args.files,
    tests_passing: args.testsPassing,
    validation_output: args.validationOutput,
    gotchas_encountered: args.gotchas,
    run_id: env.CONDUCTOR_RUN_ID || null,
    attempt,
  };

  const file = path.resolve(target);
  try {
    appendLine(file, `${JSON.stringify(record)}\n`);
  } catch (e) {
    return { exitCode: 1, message: `conductor-hook: cannot append to ${file}: ${(e as Error).message}` };
  }
  return { exitCode: 0 };
}

/** Parsed arguments, or a one-line description of what is wrong with them. */
export function parseHookArgs(argv: string[]): HookArgs | string {
  const [command, ...rest] = argv;
  if (command === undefined) return 'missing the status';
  if (!(AGENT_STATUSES as readonly string[]).includes(command)) {
    return `unknown status ${JSON.stringify(command)} (expected ${AGENT_STATUSES.join(', ')})`;
  }
  const args: HookArgs = { status: command as AgentStatus, summary: '', files: [], testsPassing: null, validationOutput: null, gotchas: [] };
  const seen = new Set<string>();

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) return `unexpected argument ${JSON.stringify(arg)}`;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    // The value is the next argument whatever it looks like: a summary may well start with "-".
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < rest.length) value = rest[++i];
    else return `${flag} needs a value`;

    const once = (name: string): string | null => {
      if (seen.has(name)) return `${name} given twice`;
      seen.add(name);
      return null;
    };
    switch (flag) {
      case '--summary': {
        const dup = once(flag);
        if (dup) return dup;
        args.summary = value;
        break;
      }
      case '--validation-output': {
        const dup = once(flag);
        if (dup) return dup;
        args.validationOutput = value;
        break;
      }
      case '--tests-passing': {
        const dup = once(flag);
        if (dup) return dup;
        if (value !== 'true' && value !== 'false') return `--tests-passing must be true or false, found ${JSON.stringify(value)}`;
        args.testsPassing = value === 'true';
        break;
      }
      case '--files':
        for (const f of value.split(',')) if (f.trim()) args.files.push(f.trim());
        break;
      case '--file':
        if (value) args.files.push(value);
        break;
      case '--gotcha':
        args.gotchas.push(value);
        break;
      default:
        return `unknown option ${JSON.stringify(flag)}`;
    }
  }
  args.files = [...new Set(args.files)];
  return args;
}

/** null when unset, undefined when set to something that is not a positive whole number. */
function parseAttempt(raw: string | undefined): number | null | undefined {
  if (raw === undefined || raw === '') return null;
  return /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : undefined;
}

/** One write() of the whole line with O_APPEND: the kernel places it at the end in one piece. */
function appendLine(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const data = Buffer.from(line, 'utf8');
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
  try {
    let written = fs.writeSync(fd, data, 0, data.length);
    // A short write on a regular file means a full disk or similar; finish rather than leave half a line.
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
  } finally {
    fs.closeSync(fd);
  }
}
