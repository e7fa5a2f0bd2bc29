// tasks.csv end to end with the built `conductor`, real git worktrees and real agent processes: the
// row's agent is the one launched (a command line of its own, or a preset with its stream parser
// and native hook), context_path is its cwd, max_turns reaches its environment and the preset's
// command line, and --tags selects the modules that run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { contractFor } from '../support/specBuilder';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';

const AGENT_SCRIPT = path.join(__dirname, '../agents/scripted-agent.mjs');
const PHASE = 'phase-1-tasks';

interface LogLine {
  event: string;
  module: string;
  cwd: string;
  argv: string[];
  env: Record<string, string>;
}

/** One CSV cell, quoted when it must be. */
const cell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('tasks.csv conducted', () => {
  let repo: TempRepo;
  let env: Record<string, string>;
  const log = (): LogLine[] => {
    const file = path.join(repo.root, '..', 'agent-log.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine) : [];
  };
  const startsOf = (id: string): LogLine[] => log().filter((l) => l.event === 'start' && l.module === id);
  const worktree = (id: string): string => path.join(`${repo.root}.worktrees`, PHASE, id);
  const conductor = (...args: string[]) => conductorBin(repo.root, args, env);

  before(() => {
    // The row agent is the scripted agent run by its own command line (a word tells it apart); the
    // `claude` preset finds a stand-in `claude` first on PATH that records the arguments the preset's
    // fixed script gives it, prints a Claude Code stream-json init line, then acts as the scripted agent.
    const rowAgent = `node "${AGENT_SCRIPT}" row-agent`;
    repo = makeRepo(
      {
        'tasks.csv': [
          'id,agent,task,max_turns,context_path,output_file,tags',
          'api,,Build the API,,,,backend',
          `web,${cell(rowAgent)},Build the site,7,apps/web,,frontend`,
          'docs,claude,Write the docs,3,./docs//guide/,,docs',
        ].join('\n'),
        'contracts/web.md': contractFor('web', ['api']),
        'apps/web/.keep': '',
      },
      'shop',
    );
    const bin = path.join(repo.root, '..', 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'claude'), `#!/usr/bin/env node\nimport(${JSON.stringify(pathToFileURL(AGENT_SCRIPT).href)});\n`);
    chmodSync(path.join(bin, 'claude'), 0o755);
    const plan = path.join(repo.root, '..', 'agent-plan.json');
    const steps = (id: string): unknown[] => [{ write: `${id}.txt`, content: id }, { commit: id }, { report: 'complete', summary: `${id} done` }];
    writeFileSync(
      plan,
      JSON.stringify({ docs: [{ print: JSON.stringify({ type: 'system', subtype: 'init', session_id: 'sess-docs-1' }) }, ...steps('docs')] }),
    );
    env = {
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      SCRIPTED_AGENT_LOG: path.join(repo.root, '..', 'agent-log.jsonl'),
      SCRIPTED_AGENT_PLAN: plan,
      // Inherited by the engine: it must never reach an agent as its budget.
      CONDUCTOR_MAX_TURNS: '999',
    };
  });
  after(() => repo.cleanup());

  test('check: the plan is valid; plan --tags shows the tagged modules with their choices', async () => {
    const check = await conductor('check');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const plan = await conductor('plan', '--tags', 'frontend,DOCS');
    assert.equal(plan.code, 0, plan.stderr);
    assert.doesNotMatch(plan.stdout, /\bapi —/);
    assert.match(plan.stdout, /web — .*\[agent node ".*scripted-agent\.mjs" row-agent · max 7 turns · in apps\/web · tags frontend\]/);
    assert.match(plan.stdout, /docs — no contract {2}\[agent claude · max 3 turns · in docs\/guide · tags docs\]/);
    const json = JSON.parse((await conductor('plan', '--json')).stdout) as { phases: { modules: Record<string, unknown>[] }[] };
    const docs = json.phases[0].modules.find((m) => m.id === 'docs')!;
    assert.deepEqual([docs.agent, docs.maxTurns, docs.contextPath, docs.tags], ['claude', 3, 'docs/guide', ['docs']]);
  });

  test('--tags whose module depends on one neither selected nor complete: refused, saying which and how', async () => {
    const r = await conductor('conduct', '1', '--tags', 'frontend', '--trust');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /web depends on api, which is not selected \(its tags: backend\) and not complete \(pending\)\. Add a tag of the dependency to --tags, or conduct it first\./);
    assert.deepEqual(log(), []);
  });

  test('a command line from tasks.csv runs only with --trust; the refusal names the row', async () => {
    const r = await conductor('conduct', '1', '--agent', SCRIPTED_AGENT, '--tags', 'backend,frontend');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /tasks\.csv:3: web runs `node ".*row-agent`.*pass --trust/);
    assert.deepEqual(log(), []);
    const unknown = await conductor('conduct', '1', '--agent', SCRIPTED_AGENT, '--tags', 'mobile');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no module of phase 1 has the tag mobile \(its tags: backend, frontend, docs\)/);
  });

  test('--tags backend runs only api, with the run\'s agent, in its worktree, with no budget', async () => {
    const r = await conductor('conduct', '1', '--agent', SCRIPTED_AGENT, '--tags', 'backend');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Phase 1 complete: 1 module\(s\) with --tags backend/);
    assert.deepEqual(log().filter((l) => l.event === 'start').map((l) => l.module), ['api']);
    const [api] = startsOf('api');
    assert.equal(api.cwd, worktree('api'));
    assert.deepEqual(api.argv, []);
    assert.equal(api.env.CONDUCTOR_MAX_TURNS, '', 'no budget, and the engine\'s own variable did not leak');
  });

  test('--tags frontend: the row\'s own command is what runs, in apps/web, with its budget, on top of api\'s work', async () => {
    // No --agent: every selected row names its own.
    const r = await conductor('conduct', '1', '--tags', 'frontend', '--trust');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const starts = startsOf('web');
    assert.equal(starts.length, 1);
    assert.deepEqual(starts[0].argv, ['row-agent'], 'the row\'s command line, split into words');
    assert.equal(starts[0].cwd, path.join(worktree('web'), 'apps', 'web'));
    assert.equal(starts[0].env.CONDUCTOR_MAX_TURNS, '7');
    assert.equal(starts[0].env.CONDUCTOR_WORKTREE, worktree('web'));
    assert.match(readFileSync(starts[0].env.CONDUCTOR_PROMPT_FILE, 'utf8'), /Your work is in `apps\/web`[\s\S]*You have 7 turns for this task/);
    assert.match(git(worktree('web'), 'ls-files'), /^api\.txt$/m, 'web starts from api\'s branch');
    assert.match(git(worktree('web'), 'ls-files'), /^apps\/web\/web\.txt$/m);
    assert.equal(startsOf('docs').length, 0);
  });

  test('the claude preset named by a row: its command line with --max-turns, started in docs/guide, its stream read, its hook there', async () => {
    const r = await conductor('conduct', '1', '--agent', SCRIPTED_AGENT);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const starts = startsOf('docs');
    assert.equal(starts.length, 1);
    const argv = starts[0].argv;
    assert.deepEqual(argv.slice(0, 4), ['-p', '--output-format', 'stream-json', '--verbose']);
    assert.deepEqual(argv.slice(argv.indexOf('--max-turns'), argv.indexOf('--max-turns') + 2), ['--max-turns', '3']);
    assert.equal(argv.at(-2), '--');
    assert.match(argv.at(-1) ?? '', /You have 3 turns for this task/);
    const guide = path.join(worktree('docs'), 'docs', 'guide');
    assert.equal(starts[0].cwd, guide);
    // Claude Code reads the settings of the folder it starts in: the native hook is there, excluded from git.
    assert.match(readFileSync(path.join(guide, '.claude/settings.local.json'), 'utf8'), /conductor-hook claude-event/);
    assert.equal(existsSync(path.join(worktree('docs'), '.claude/settings.local.json')), false);
    assert.match(readFileSync(path.join(repo.root, '.git/info/exclude'), 'utf8'), /^\/docs\/guide\/\.claude\/settings\.local\.json$/m);
    assert.equal(git(worktree('docs'), 'status', '--porcelain'), '');
    // Completed modules do not run again.
    assert.deepEqual([startsOf('api').length, startsOf('web').length], [1, 1]);

    const status = JSON.parse((await conductor('status', '--json')).stdout) as { phases: { agent: string; modules: { id: string; state: string; agent: string | null; sessionId: string | null }[] }[] };
    const byId = new Map(status.phases[0].modules.map((m) => [m.id, m]));
    assert.deepEqual([...byId.values()].map((m) => [m.id, m.state]), [['api', 'complete'], ['web', 'complete'], ['docs', 'complete']]);
    assert.equal(byId.get('api')!.agent, SCRIPTED_AGENT);
    assert.match(byId.get('web')!.agent ?? '', /row-agent$/);
    assert.equal(byId.get('docs')!.agent, 'claude');
    assert.equal(byId.get('docs')!.sessionId, 'sess-docs-1', 'read by the claude stream parser');
    const text = (await conductor('status')).stdout;
    assert.match(text, /docs .* · agent claude/);
    assert.doesNotMatch(text, /api .* · agent /);
  });
});
