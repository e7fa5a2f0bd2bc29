// ChildAgentPort with real processes: exit codes, logs, process groups, environment, the preset
// scripts (against fake agent executables on PATH) and the scripted test agent in a real git repo.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentLaunch } from '../../src/core/ports';
import { AGENT_PRESETS, resolveAgent, type AgentMode } from '../../src/core/agents/presets';
import { ChildAgentPort } from '../../src/infra/process/childAgentPort';
import { installHookLauncher } from '../../src/infra/status/hookInstaller';
import { bundleHook } from '../support/hookBundle';

const NODE = process.execPath;
const SCRIPTED_AGENT = path.resolve(__dirname, '../agents/scripted-agent.mjs');

let tmp: string;
let counter = 0;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'child-agent-port-'));
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function launchOf(argv: string[], extra: Partial<AgentLaunch> = {}): AgentLaunch {
  const n = ++counter;
  return {
    key: `phase-1-test/m${n}`,
    name: `m${n}`,
    command: { argv, display: argv.join(' ') },
    cwd: tmp,
    env: {},
    pathPrepend: [],
    logFile: path.join(tmp, 'logs', `run-${n}`, 'agent.log'),
    ...extra,
  };
}

const sh = (script: string): string[] => ['/bin/sh', '-c', script];

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await pause(20);
}

async function readPid(file: string): Promise<number> {
  let text = '';
  await waitFor(async () => {
    text = await fs.readFile(file, 'utf8').catch(() => '');
    return text.endsWith('\n');
  });
  return Number(text.trim());
}

/** Dead, or a zombie nobody has reaped yet (this container's init may not reap orphans). */
function gone(port: ChildAgentPort, pid: number): boolean {
  if (!port.isAlive(pid)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('ChildAgentPort', () => {
  test('reports exit codes', async () => {
    const port = new ChildAgentPort();
    for (const code of [0, 3]) {
      const handle = await port.start(launchOf(sh(`exit ${code}`)));
      assert.equal(typeof handle.pid, 'number');
      assert.deepEqual(await handle.exited, { code, signal: null, byUser: false });
    }
  });

  test('appends stdout and stderr to the log file (folder created) and passes each line on', async () => {
    const lines: [string, string][] = [];
    const port = new ChildAgentPort({ onOutput: (key, line) => lines.push([key, line]) });
    const launch = launchOf(sh('echo out one; echo err one >&2; printf "partial"'));
    await (await port.start(launch)).exited;
    const log = await fs.readFile(launch.logFile, 'utf8');
    for (const text of ['out one\n', 'err one\n', 'partial']) assert.ok(log.includes(text), log);
    assert.deepEqual(
      lines.map(([, l]) => l).sort(),
      ['err one', 'out one', 'partial'],
    );
    assert.ok(lines.every(([key]) => key === launch.key));

    await (await port.start({ ...launch, command: { argv: sh('echo second run'), display: 'second' } })).exited;
    const again = await fs.readFile(launch.logFile, 'utf8');
    assert.ok(again.startsWith(log) && again.endsWith('second run\n'), 'the log is appended to');
  });

  test('a command that does not exist: start() resolves, exit 127, the reason in the log', async () => {
    const lines: string[] = [];
    const port = new ChildAgentPort({ onOutput: (_k, l) => lines.push(l) });
    for (const launch of [
      launchOf([path.join(tmp, 'no-such-agent')]),
      launchOf(['/bin/sh', '-c', 'true'], { cwd: path.join(tmp, 'no-such-folder') }),
    ]) {
      const handle = await port.start(launch);
      assert.equal(handle.pid, null);
      assert.deepEqual(await handle.exited, { code: 127, signal: null, byUser: false });
      await handle.stop(); // nothing to stop; resolves
      const log = await fs.readFile(launch.logFile, 'utf8');
      assert.match(log, /could not start .* command not found/);
    }
    assert.equal(lines.length, 2);
  });

  test('the environment is inherited plus the launch variables, in the launch cwd', async () => {
    const port = new ChildAgentPort();
    const cwd = await fs.mkdtemp(path.join(tmp, 'cwd-'));
    const out = path.join(tmp, `env-${counter}.json`);
    const code = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ cwd: process.cwd(), m: process.env.CONDUCTOR_MODULE, q: process.env.CONDUCTOR_PHASE, path: !!process.env.PATH }))`;
    const handle = await port.start(launchOf([NODE, '-e', code], { cwd, env: { CONDUCTOR_MODULE: 'cart', CONDUCTOR_PHASE: 'it\'s "$(x)"' } }));
    assert.equal((await handle.exited).code, 0);
    assert.deepEqual(JSON.parse(await fs.readFile(out, 'utf8')), { cwd: await fs.realpath(cwd), m: 'cart', q: 'it\'s "$(x)"', path: true });
  });

  test('stop() ends the whole process group, grandchildren included', async () => {
    const port = new ChildAgentPort();
    const pidFile = path.join(tmp, `grandchild-${counter}.pid`);
    const handle = await port.start(launchOf(sh(`sleep 1000 & echo $! > "$PID_FILE"; wait`), { env: { PID_FILE: pidFile } }));
    const grandchild = await readPid(pidFile);
    assert.ok(port.isAlive(grandchild));
    await handle.stop();
    assert.deepEqual(await handle.exited, { code: null, signal: 'SIGTERM', byUser: true });
    await waitFor(() => gone(port, grandchild));
    assert.equal(port.isAlive(handle.pid!), false);
  });

  test('stop() escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const port = new ChildAgentPort({ stopGraceMs: 50 });
    const pidFile = path.join(tmp, `stubborn-${counter}.pid`);
    const handle = await port.start(launchOf(sh(`trap '' TERM; sleep 1000 & echo $! > "$PID_FILE"; wait`), { env: { PID_FILE: pidFile } }));
    const grandchild = await readPid(pidFile);
    await handle.stop();
    assert.deepEqual(await handle.exited, { code: null, signal: 'SIGKILL', byUser: true });
    await waitFor(() => gone(port, grandchild));
  });

  test('an agent that exits is done even when a process it left behind holds its output open', async () => {
    const port = new ChildAgentPort();
    const pidFile = path.join(tmp, `leftover-${counter}.pid`);
    const handle = await port.start(launchOf(sh(`sleep 1000 & echo $! > "$PID_FILE"; echo bye`), { env: { PID_FILE: pidFile } }));
    assert.deepEqual(await handle.exited, { code: 0, signal: null, byUser: false });
    const leftover = await readPid(pidFile);
    assert.ok(port.isAlive(leftover), 'the background process is still running');
    process.kill(leftover, 'SIGKILL');
    await waitFor(() => gone(port, leftover));
  });

  test('stop() after the process ended changes nothing', async () => {
    const port = new ChildAgentPort();
    const handle = await port.start(launchOf(sh('exit 0')));
    await handle.exited;
    await handle.stop();
    assert.deepEqual(await handle.exited, { code: 0, signal: null, byUser: false });
  });

  test('isAlive', async () => {
    const port = new ChildAgentPort();
    assert.equal(port.isAlive(process.pid), true);
    assert.equal(port.isAlive(1), true); // alive whether or not we may signal it (EPERM)
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.equal(port.isAlive(bad), false);
    const handle = await port.start(launchOf(sh('exit 0')));
    await handle.exited;
    assert.equal(port.isAlive(handle.pid!), false);
  });
});

describe('preset scripts with fake agent executables', () => {
  // Leading dash, quotes, command substitution, backticks, variables, a backslash, printf escapes,
  // a would-be `${p%x}`, Unicode and trailing newlines: all must reach the agent untouched.
  const PROMPT = `-rf "double" 'single' $(touch pwned) \`touch pwned2\` $HOME \${p%x} \\n %s back\\slash\nline two ✓\n\n\n`;
  let bin: string;
  let work: string;
  let promptFile: string;

  before(async () => {
    bin = await fs.mkdtemp(path.join(tmp, 'bin-'));
    work = await fs.mkdtemp(path.join(tmp, 'work-'));
    promptFile = path.join(tmp, 'prompt file.md');
    await fs.writeFile(promptFile, PROMPT);
    for (const name of ['claude', 'codex', 'gemini', 'qwen', 'aider']) {
      const exe = path.join(bin, name);
      await fs.writeFile(exe, `#!${NODE}\nrequire('fs').writeFileSync(process.env.ARGV_OUT, JSON.stringify(process.argv.slice(2)));\n`);
      await fs.chmod(exe, 0o755);
    }
  });

  async function runPreset(id: string, mode: AgentMode, prompt = promptFile, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; argv: string[] | null }> {
    const command = resolveAgent(id, mode);
    assert.ok(!('error' in command));
    const argvOut = path.join(tmp, `argv-${id}-${mode}-${++counter}.json`);
    const handle = await new ChildAgentPort().start(
      launchOf(command.argv, {
        cwd: work,
        env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, ARGV_OUT: argvOut, CONDUCTOR_PROMPT_FILE: prompt, CONDUCTOR_HOOK: '/opt/hook', ...extraEnv },
      }),
    );
    const { code } = await handle.exited;
    const text = await fs.readFile(argvOut, 'utf8').catch(() => null);
    return { code, argv: text === null ? null : (JSON.parse(text) as string[]) };
  }

  test('claude receives the prompt as ONE argument, byte for byte', async () => {
    const allowed = ['--allowedTools', 'Bash(git add:*)', 'Bash(git commit:*)', 'Bash(conductor-hook:*)'];
    assert.deepEqual(await runPreset('claude', 'headless'), {
      code: 0,
      argv: ['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', ...allowed, '--', PROMPT],
    });
    assert.deepEqual(await runPreset('claude', 'interactive'), {
      code: 0,
      argv: ['--permission-mode', 'acceptEdits', ...allowed, '--', PROMPT],
    });
  });

  test('codex, gemini and aider get the prompt (or its file) unchanged too, and codex and gemini a session to resume', async () => {
    const gitEnv = { CONDUCTOR_GIT_DIR: '/r/.git/worktrees/m', CONDUCTOR_GIT_COMMON_DIR: '/r/.git', CONDUCTOR_STATUS_DIR: '/r/.conductor/status/p 1' };
    const sandbox = ['-c', 'allow_login_shell=false', '--sandbox', 'workspace-write', '--add-dir', '/r/.git/worktrees/m', '--add-dir', '/r/.git/objects', '--add-dir', '/r/.git/refs', '--add-dir', '/r/.git/logs', '--add-dir', '/r/.conductor/status/p 1'];
    assert.deepEqual(await runPreset('codex', 'headless', promptFile, gitEnv), { code: 0, argv: ['exec', '--json', ...sandbox, '--', PROMPT] });
    assert.deepEqual(await runPreset('codex', 'headless', promptFile, { ...gitEnv, CONDUCTOR_RESUME_SESSION: '01a215a6-ba14' }), {
      code: 0,
      argv: ['exec', '--json', ...sandbox, 'resume', '01a215a6-ba14', '--', PROMPT],
    });
    assert.deepEqual(await runPreset('codex', 'interactive', promptFile, gitEnv), { code: 0, argv: [...sandbox, '--ask-for-approval', 'on-request', '--', PROMPT] });
    const geminiAllowed = ['--approval-mode=auto_edit', ...['git add', 'git commit', 'conductor-hook'].map((c) => `--allowed-tools=run_shell_command(${c})`), '--skip-trust'];
    assert.deepEqual(await runPreset('gemini', 'headless'), { code: 0, argv: [...geminiAllowed, '-o', 'stream-json', `--prompt=${PROMPT}`] });
    assert.deepEqual(await runPreset('gemini', 'interactive'), { code: 0, argv: [...geminiAllowed, `--prompt-interactive=${PROMPT}`] });
    const resume = { CONDUCTOR_RESUME_SESSION: '01a215a6-ba14' };
    assert.deepEqual(await runPreset('gemini', 'headless', promptFile, resume), { code: 0, argv: [...geminiAllowed, '--resume=01a215a6-ba14', '-o', 'stream-json', `--prompt=${PROMPT}`] });
    assert.deepEqual(await runPreset('gemini', 'interactive', promptFile, resume), { code: 0, argv: [...geminiAllowed, '--resume=01a215a6-ba14', `--prompt-interactive=${PROMPT}`] });
    assert.deepEqual(await runPreset('aider', 'headless'), { code: 0, argv: ['--yes-always', '--message-file', promptFile] });
    assert.deepEqual(await runPreset('aider', 'interactive'), { code: 0, argv: ['--yes-always', '--read', promptFile] });
  });

  test('qwen gets the prompt as the value of --prompt= (headless) and --prompt-interactive=, and a session to resume as --resume=', async () => {
    const allowed = ['--allowed-tools', 'run_shell_command(git add)', 'run_shell_command(git commit)', 'run_shell_command(conductor-hook)'];
    assert.deepEqual(await runPreset('qwen', 'headless'), {
      code: 0,
      argv: ['--approval-mode', 'auto-edit', ...allowed, '--output-format', 'stream-json', `--prompt=${PROMPT}`],
    });
    assert.deepEqual(await runPreset('qwen', 'interactive'), { code: 0, argv: ['--approval-mode', 'auto-edit', ...allowed, `--prompt-interactive=${PROMPT}`] });
    const resume = { CONDUCTOR_RESUME_SESSION: '01a215a6-ba14' };
    assert.deepEqual(await runPreset('qwen', 'headless', promptFile, resume), {
      code: 0,
      argv: ['--approval-mode', 'auto-edit', ...allowed, '--resume=01a215a6-ba14', '--output-format', 'stream-json', `--prompt=${PROMPT}`],
    });
    assert.deepEqual(await runPreset('qwen', 'interactive', promptFile, resume), { code: 0, argv: ['--approval-mode', 'auto-edit', ...allowed, '--resume=01a215a6-ba14', `--prompt-interactive=${PROMPT}`] });
  });

  test('nothing in the prompt was executed', async () => {
    assert.deepEqual((await fs.readdir(work)).filter((f) => f.startsWith('pwned')), []);
  });

  test('an unreadable prompt file stops the script before the agent starts', async () => {
    for (const preset of AGENT_PRESETS.filter((p) => p.id !== 'custom' && p.id !== 'aider')) {
      const r = await runPreset(preset.id, 'headless', path.join(tmp, 'missing-prompt.md'));
      assert.notEqual(r.code, 0, preset.id);
      assert.equal(r.argv, null, `${preset.id} must not start`);
    }
  });
});

describe('scripted test agent through ChildAgentPort', () => {
  let repo: string;
  let hook: string;
  let statusDir: string;

  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

  before(async () => {
    repo = await fs.mkdtemp(path.join(tmp, 'repo-'));
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'base');
    const hookScript = path.join(tmp, 'hook.js');
    await bundleHook(hookScript);
    hook = await installHookLauncher({ dir: path.join(tmp, '.conductor', 'bin'), nodePath: NODE, hookScript, electron: false });
    statusDir = path.join(tmp, '.conductor', 'status');
    await fs.mkdir(statusDir, { recursive: true });
  });

  async function runAgent(module: string, attempt: number, plan: object | null, port = new ChildAgentPort()) {
    const n = ++counter;
    const statusFile = path.join(statusDir, `${module}-${n}.jsonl`);
    const agentLog = path.join(tmp, `scripted-${n}.jsonl`);
    const env: Record<string, string> = {
      CONDUCTOR_MODULE: module,
      CONDUCTOR_PHASE: 'phase-1-test',
      CONDUCTOR_WORKTREE: repo,
      CONDUCTOR_PROMPT_FILE: path.join(tmp, 'unused-prompt.md'),
      CONDUCTOR_STATUS_FILE: statusFile,
      CONDUCTOR_HOOK: hook,
      CONDUCTOR_RUN_ID: 'run-1',
      CONDUCTOR_ATTEMPT: String(attempt),
      SCRIPTED_AGENT_LOG: agentLog,
    };
    if (plan) {
      env.SCRIPTED_AGENT_PLAN = path.join(tmp, `plan-${n}.json`);
      await fs.writeFile(env.SCRIPTED_AGENT_PLAN, JSON.stringify(plan));
    }
    const command = resolveAgent(`"${NODE}" "${SCRIPTED_AGENT}"`, 'headless');
    assert.ok(!('error' in command));
    const handle = await port.start(launchOf(command.argv, { cwd: repo, env }));
    const read = async (file: string) => (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
    return {
      handle,
      status: async () => (await read(statusFile)).map((l) => { try { return JSON.parse(l); } catch { return l; } }),
      invocations: async () => (await read(agentLog)).map((l) => JSON.parse(l)),
    };
  }

  test('by default it writes <module>.txt, commits and reports complete through the real hook', async () => {
    const run = await runAgent('cart', 1, null);
    assert.equal((await run.handle.exited).code, 0);
    assert.equal(await fs.readFile(path.join(repo, 'cart.txt'), 'utf8'), 'cart attempt 1\n');
    assert.equal(git('log', '-1', '--format=%s'), 'cart: attempt 1');
    const [line] = await run.status();
    assert.equal(line.status, 'complete');
    assert.equal(line.module, 'cart');
    assert.equal(line.attempt, 1);
    assert.deepEqual(line.files_created, ['cart.txt']);
    const invocations = await run.invocations();
    assert.deepEqual(invocations.map((i) => [i.event, i.module, i.attempt]), [['start', 'cart', 1], ['end', 'cart', 1]]);
    assert.equal(invocations[0].cwd, await fs.realpath(repo));
    assert.equal(invocations[0].env.CONDUCTOR_RUN_ID, 'run-1');
  });

  test('plan steps run in order: print, raw status lines, reports, files outside, exit code', async () => {
    const run = await runAgent('search', 1, {
      search: [
        { print: 'hello from search' },
        { appendStatus: 'not json at all' },
        { report: 'progress', summary: 'half "way" $(x)' },
        { writeOutside: '../outside-search.txt', content: 'escaped' },
        { report: 'failed', summary: 'gave up', files: ['a.ts', 'b.ts'], testsPassing: false },
        { exit: 3 },
        { print: 'never printed' },
      ],
    });
    assert.equal((await run.handle.exited).code, 3);
    const status = await run.status();
    assert.equal(status[0], 'not json at all');
    assert.deepEqual(status.slice(1).map((s) => [s.status, s.summary]), [['progress', 'half "way" $(x)'], ['failed', 'gave up']]);
    assert.deepEqual([status[2].files_created, status[2].tests_passing], [['a.ts', 'b.ts'], false]);
    assert.equal(await fs.readFile(path.join(repo, '..', 'outside-search.txt'), 'utf8'), 'escaped');
    assert.deepEqual((await run.invocations()).map((i) => [i.event, i.code]), [['start', undefined], ['end', 3]]);
  });

  test('failOnAttempt fails that attempt only; "<module>#<attempt>" and "*" entries are picked', async () => {
    const plan = {
      '*': [{ failOnAttempt: 1 }, { report: 'complete', summary: 'default entry' }],
      'cart#3': [{ report: 'needs-input', summary: 'attempt three' }],
    };
    const first = await runAgent('cart', 1, plan);
    assert.equal((await first.handle.exited).code, 1);
    assert.deepEqual(await first.status(), []);
    const second = await runAgent('cart', 2, plan);
    assert.equal((await second.handle.exited).code, 0);
    assert.deepEqual((await second.status()).map((s) => s.summary), ['default entry']);
    const third = await runAgent('cart', 3, plan);
    assert.equal((await third.handle.exited).code, 0);
    assert.deepEqual((await third.status()).map((s) => s.status), ['needs-input']);
  });

  test('a hanging agent is stopped by the port', async () => {
    const run = await runAgent('hang', 1, { hang: [{ report: 'started', summary: 'up' }, { hang: true }] });
    await waitFor(async () => (await run.status()).length === 1);
    await run.handle.stop();
    assert.deepEqual(await run.handle.exited, { code: null, signal: 'SIGTERM', byUser: true });
    assert.deepEqual((await run.invocations()).map((i) => i.event), ['start']);
  });
});
