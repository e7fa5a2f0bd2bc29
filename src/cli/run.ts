// The `conductor` command line: a table of commands over the same core and infra as the extension.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkCommand } from './commands/check';
import { cleanCommand, cleanOptions } from './commands/clean';
import { conductCommand, conductOptions } from './commands/conduct';
import { mergeCommand, mergeOptions, predictCommand, reportCommand } from './commands/merge';
import { resolveCommand, resolveOptions } from './commands/resolve';
import { rollbackCommand, rollbackOptions } from './commands/rollback';
import { runCommand, runOptions } from './commands/runPlan';
import { statusCommand } from './commands/status';
import { planCommand, planOptions } from './commands/plan';
import { specOptions } from './commands/specOptions';
import { describeError, WriteError } from '../infra/fsErrors';
import { EXIT, UsageError, type CliIo } from './io';

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run: (flags: any, positionals: string[], io: CliIo) => Promise<number>;
}

const COMMON = `  --root DIR          repository root (default: the current folder)
  --spec FILE         the plan (default: READY.md, .prelude/READY.md or tasks.csv)
  --contracts GLOB    contract files (repeatable; default: contracts/*.md and **/contract.md)
  --json              machine-readable output`;

export const COMMANDS: Record<string, Command> = {
  plan: {
    summary: 'show the phases, modules, contracts and waves of the plan',
    usage: `conductor plan [--tags a,b] [options]\n\n  --tags A,B          only the modules with one of these tags (tasks.csv's tags column)\n${COMMON}`,
    options: planOptions,
    run: (flags, _p, io) => planCommand(flags, io),
  },
  check: {
    summary: 'validate READY.md and the contracts; exit 1 on any error',
    usage: `conductor check [options]\n\n${COMMON}`,
    options: specOptions,
    run: (flags, _p, io) => checkCommand(flags, io),
  },
  conduct: {
    summary: 'run one phase: a worktree and an agent per module, in dependency waves',
    usage: `conductor conduct <phase> --agent <claude|codex|gemini|qwen|aider|"command"> [options]

  --agent AGENT        a preset (claude, codex, gemini, qwen, aider) or your own command line; the
                       agent of the modules whose tasks.csv row names none (needed only then)
  --tags A,B           only the modules with one of these tags (tasks.csv's tags column); their
                       same-phase dependencies must be selected too, or complete already
  --trust              run the agent command lines tasks.csv names (presets need no trust)
  --max-parallel N     agents at once (default: twice the cores, 2 to 8)
  --retries N          retries of a failed module, same worktree (default 1)
  --approve            approve a phase marked "Gate: manual"
  --allow-dirty        start although your checkout has uncommitted changes
  --worktree-root DIR  where worktrees go (default: <repo>.worktrees next to the repository)
  --copy FILE          copy into each new worktree (repeatable; default .env and .env.local)
  --setup COMMAND      run in each new worktree before its agent (e.g. "npm ci")
  --prompt-template F  prompt template (default: conductor.prompt.md when present)
  --show-output        print the agents' output, prefixed with their module
  --idle-timeout S     flag an agent with no output and no status line for S seconds, stop it
                       after 2×S (default 600; 0: never)
  --validate-waves     a module whose dependencies are in its phase starts only once their merged
                       result passes the phase's check and lint commands (needs --trust); findings
                       go back to the dependencies' agents at most --fix-rounds N times (default 2)
  --quiet              no progress lines
${COMMON}

Run it again to resume: completed modules are kept, interrupted ones restarted.`,
    options: conductOptions,
    positionals: 1,
    run: (flags, positionals, io) => conductCommand(flags, positionals, io),
  },
  run: {
    summary: 'conduct the plan: every phase (or a range) on the result of the ones before, merged, validated, fixed',
    usage: `conductor run [<from>[..<to>]] --agent <claude|codex|gemini|qwen|aider|"command"> [options]

  <from>..<to>         phases to run (2, 2..4, 2.., ..3; default: all), in plan order
  --agent AGENT        a preset (claude, codex, gemini, qwen, aider) or your own command line
  --trust              run the phases' test, lint and check commands (they come from READY.md),
                       and the agent command lines tasks.csv names
  --fix-rounds N       after a failed validation, send each finding back to its module's agent at
                       most N times (default 2); a round that changes nothing stops early
  --approve N          approve phase N's "Gate: manual" (repeatable, or 2,3)
  --into BRANCH        when every phase of the range is done, bring the last one's result into BRANCH
  --keep-worktrees     keep a done phase's module worktrees (default: removed, branches kept)
  --validate-waves     within a phase, a dependent wave starts only once its dependencies' merged
                       result passes the phase's check and lint commands (see conduct --help)
  --test CMD           test command instead of each phase's own (repeatable)
  --yes                do not ask before starting (it never asks without a terminal)
  --max-parallel N, --retries N, --worktree-root DIR, --copy FILE, --setup COMMAND,
  --prompt-template F, --show-output, --idle-timeout S, --allow-dirty, --quiet: as for conduct
${COMMON}

A phase is done when every module merged, every validation step passed and its checkpoint
(refs/conductor/checkpoints/phase-<N>) is written; the next phase starts from that result. Run it
again to resume. Exit 0 when every phase of the range is done, 1 when one failed, 3 at a gate.`,
    options: runOptions,
    positionals: 1,
    run: (flags, positionals, io) => runCommand(flags, positionals, io),
  },
  rollback: {
    summary: 'return the plan to the checkpoint of the phase before <phase>; later phases become pending',
    usage: `conductor rollback <phase> [--force] [--json]

  --force              discard uncommitted changes in those phases' worktrees
  --worktree-root DIR  where the worktrees are
${COMMON}

Integration branches of <phase> and later reset to the checkpoint before them; their old tips, module
branches and checkpoints are kept under refs/conductor/backup/<time>/. Your checkout is not touched.`,
    options: rollbackOptions,
    positionals: 1,
    run: (flags, positionals, io) => rollbackCommand(flags, positionals, io),
  },
  merge: {
    summary: 'merge the completed modules in an integration worktree and validate the result',
    usage: `conductor merge <phase> [--into <branch> [--partial]] [--trust] [--test CMD]... [--json]

  --into BRANCH        bring the result into BRANCH, only when every module of the phase merged
                       and the result validated
  --partial            accept a partial phase: what was merged validated though some modules were
                       not merged (--into then brings it in, saying which modules are missing)
  --trust              run the phase's check, lint and test commands (from READY.md)
  --test CMD           test command instead of READY.md's (repeatable)
  --worktree-root DIR  where the integration worktree goes
${COMMON}

Your checkout is never touched, except by --into. Exit 0 when every module of the phase merged and
the validation passed; with --partial also when what was merged validated (and --into took it).`,
    options: mergeOptions,
    positionals: 1,
    run: (flags, positionals, io) => mergeCommand(flags, positionals, io),
  },
  resolve: {
    summary: 'resolve a module\'s merge conflict by hand in the phase\'s integration worktree',
    usage: `conductor resolve <phase> [<module> | --commit | --abort] [--json]

  <module>             merge that module (one the last merge left out on a conflict) into the
                       integration worktree with the conflict left in progress; prints the files
  (none)               the merge being resolved and the files still unmerged, or the modules
                       the last merge left out on a conflict
  --commit             commit the resolution on the integration branch (refused while a file still
                       holds conflict markers); then "conductor merge <phase>" goes on
  --abort              drop the merge being resolved
  --worktree-root DIR  where the integration worktree is
${COMMON}

Exit 0 when done, 1 when the commit was refused or there is nothing to commit, 2 usage error.`,
    options: resolveOptions,
    positionals: 2,
    run: (flags, positionals, io) => resolveCommand(flags, positionals, io),
  },
  predict: {
    summary: 'predict merge conflicts between the modules\' current work',
    usage: `conductor predict <phase> [--json]

${COMMON}`,
    options: specOptions,
    positionals: 1,
    run: (flags, positionals, io) => predictCommand(flags, positionals, io),
  },
  report: {
    summary: 'the plan report and timeline, or one phase\'s report (.conductor/reports)',
    usage: `conductor report [plan | <phase>] [--json]

  (none), plan   the whole run: plan.md, plan.json and timeline.svg, and each conducted phase's report
  <phase>        that phase: phase-N.md, phase-N.json and timeline-phase-N.svg
${COMMON}`,
    options: specOptions,
    positionals: 1,
    run: (flags, positionals, io) => reportCommand(flags, positionals, io),
  },
  status: {
    summary: 'every module of every conducted phase, with its state',
    usage: 'conductor status [--root DIR] [--json]',
    options: { root: { type: 'string' }, json: { type: 'boolean' } },
    run: (flags, _p, io) => statusCommand(flags, io),
  },
  clean: {
    summary: 'remove conductor worktrees and branches no run knows about (merged or empty only)',
    usage: `conductor clean [--root DIR] [--force <module>]... [--dry-run] [--json]

  --force MODULE   also remove that module's orphan with uncommitted or unmerged work
  --dry-run        only say what would be removed`,
    options: cleanOptions,
    run: (flags, _p, io) => cleanCommand(flags, io),
  },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Spec Conductor — spec-driven parallel development with AI coding agents.

Usage: conductor <command> [options]

Commands:
${lines.join('\n')}

Run "conductor <command> --help" for a command's options.
Exit codes: 0 success, 1 the work failed (errors found, modules failed), 2 usage error,
3 a plan run stopped at a "Gate: manual", 130 stopped by Ctrl-C (resumable).
`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`Usage: ${command.usage}\n`);
      return EXIT.ok;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.split('\n')[0]);
    }
    if (parsed.positionals.length > (command.positionals ?? 0)) {
      throw new UsageError(`unexpected argument "${parsed.positionals[command.positionals ?? 0]}"`);
    }
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`conductor: ${e.message}\nRun "conductor --help" for usage.\n`);
      return EXIT.usage;
    }
    // Anything else is ours to fix, but the user still gets one line, not a stack trace.
    io.stderr(`conductor: ${errorLine(e)}\n`);
    if (io.env.CONDUCTOR_DEBUG) io.stderr(`${(e as Error).stack ?? ''}\n`);
    return EXIT.failed;
  }
}

/**
 * The one line a user sees for an error no command handled: file-system causes (a full disk, a
 * read-only folder) name the path and the cause, and say the state file is still the last save.
 */
export function errorLine(e: unknown): string {
  const line = describeError(e);
  return e instanceof WriteError
    ? `${line}. .conductor/state.json keeps its last complete save: once that is fixed, run the command again to resume.`
    : line;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
