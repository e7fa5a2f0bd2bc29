// tasks.csv's agent, max_turns, context_path and tags columns: read into the module, and every value
// that cannot be used reported at its file, line and column.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasksCsv } from '../../src/core/spec/tasksCsv';
import { contextPathOf, maxTurnsOf } from '../../src/core/spec/taskFields';
import { parseAgentChoice } from '../../src/core/agents/agentChoice';
import type { ModuleSpec, Problem } from '../../src/core/model';

const FILE = 'plans/tasks.csv';

/** One row with the given column values (quoted as CSV), under a header of those columns. */
function row(cells: Record<string, string>): { module: ModuleSpec; problems: Problem[] } {
  const names = ['id', 'task', ...Object.keys(cells)];
  const quote = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const text = `${names.join(',')}\nm1,do it,${Object.values(cells).map(quote).join(',')}\n`;
  const doc = parseTasksCsv(FILE, text);
  return { module: doc.phases[0].modules[0], problems: doc.problems };
}

function where(problems: Problem[]): string[] {
  return problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} ${p.code}`);
}

describe('tasks.csv agent', () => {
  test('a preset, in any case, becomes its lower-case name; the cell is where it was written', () => {
    for (const name of ['claude', 'Codex', 'GEMINI', ' qwen ', 'aider']) {
      const { module, problems } = row({ agent: name });
      assert.deepEqual(problems, [], name);
      assert.deepEqual(module.agent, { value: name.trim().toLowerCase(), line: 2, column: 10 }, name);
    }
  });

  test('an unknown name is an error at its cell, with the presets and a guess', () => {
    const { module, problems } = row({ agent: 'cluade' });
    assert.deepEqual(where(problems), [`${FILE}:2:10 error unknown-agent`]);
    assert.match(problems[0].message, /"cluade" is not an agent preset \(claude, codex, gemini, qwen, aider\); did you mean "claude"\?/);
    assert.match(problems[0].message, /\.\/cluade/);
    assert.equal(module.agent, undefined);
    assert.equal(module.meta.agent, 'cluade');
  });

  test('"custom" alone is an error: the command itself is what to write', () => {
    const { problems } = row({ agent: 'custom' });
    assert.deepEqual(where(problems), [`${FILE}:2:10 error malformed-field`]);
    assert.match(problems[0].message, /needs a command line/);
  });

  test('a command line is allowed, kept as written, and split into words without a shell', () => {
    const text = 'MODEL=big node ./tools/agent.mjs --name "two words" \'$HOME\'';
    const { module, problems } = row({ agent: text });
    assert.deepEqual(problems, []);
    assert.equal(module.agent?.value, text);
    assert.deepEqual(parseAgentChoice(text), {
      kind: 'command',
      text,
      argv: ['node', './tools/agent.mjs', '--name', 'two words', '$HOME'],
      env: { MODEL: 'big' },
    });
    assert.equal(row({ agent: './my-agent' }).problems.length, 0);
  });

  test('a command line that needs a shell, runs several commands or sets CONDUCTOR_* variables is an error', () => {
    for (const [text, pattern] of [
      ['./agent.sh; rm -rf ~', /a command separator ";" at column 11 needs a shell/],
      ['./agent.sh "$CONDUCTOR_PROMPT_FILE"', /variable expansion "\$C…"/],
      ['./agent.sh $(cat prompt)', /command substitution/],
      ['./agent.sh | tee log', /a pipe/],
      ['./a && ./b', /one command/],
      ['CONDUCTOR_TOKEN=x ./agent.sh', /sets CONDUCTOR_TOKEN/],
      ['./agent.sh\n--more', /control character or a line break|line break/],
    ] as const) {
      const { module, problems } = row({ agent: text });
      assert.deepEqual(where(problems), [`${FILE}:2:10 error malformed-field`], text);
      assert.match(problems[0].message, pattern, text);
      assert.equal(module.agent, undefined, text);
    }
  });
});

describe('tasks.csv max_turns', () => {
  test('a positive whole number, leading zeros and spaces allowed', () => {
    assert.deepEqual(row({ max_turns: '40' }).module.maxTurns, { value: 40, line: 2, column: 10 });
    assert.equal(row({ max_turns: ' 007 ' }).module.maxTurns?.value, 7);
    assert.equal(row({ max_turns: '' }).module.maxTurns, undefined);
  });

  test('anything else is an error at its cell, and no budget is set', () => {
    for (const text of ['0', '-3', '1.5', '40 turns', 'forty', '1e3', '100001', '99999999999999999999']) {
      const { module, problems } = row({ agent: 'claude', max_turns: text });
      assert.deepEqual(where(problems), [`${FILE}:2:17 error malformed-field`], text);
      assert.match(problems[0].message, /^max_turns: /, text);
      assert.equal(module.maxTurns, undefined, text);
    }
    assert.equal(maxTurnsOf('100000'), 100000);
  });
});

describe('tasks.csv context_path', () => {
  test('a folder inside the worktree, normalized', () => {
    assert.deepEqual(row({ context_path: 'src/api' }).module.contextPath, { value: 'src/api', line: 2, column: 10 });
    assert.equal(row({ context_path: './src//api/' }).module.contextPath?.value, 'src/api');
    assert.equal(row({ context_path: 'a/./b' }).module.contextPath?.value, 'a/b');
    assert.equal(row({ context_path: 'with space/x' }).module.contextPath?.value, 'with space/x');
    // The worktree root itself: no context path.
    for (const root of ['.', './', '']) {
      const { module, problems } = row({ context_path: root });
      assert.deepEqual([module.contextPath, problems], [undefined, []], root);
    }
  });

  test('absolute, home, drive, "..", backslash, .git and control characters are errors at the cell', () => {
    for (const [text, pattern] of [
      ['/etc', /not inside the module's worktree/],
      ['~/project', /not inside the module's worktree/],
      ['C:/src', /not inside the module's worktree/],
      ['..', /goes up with "\.\."/],
      ['src/../../x', /goes up/],
      ['src\\api', /backslash/],
      ['.git/hooks', /inside \.git/],
      ['a/.GIT', /inside \.git/],
      ['src\tapi', /control character/],
    ] as const) {
      const { module, problems } = row({ context_path: text });
      assert.deepEqual(where(problems), [`${FILE}:2:10 error malformed-field`], text);
      assert.match(problems[0].message, pattern, text);
      assert.equal(module.contextPath, undefined, text);
    }
    assert.deepEqual(contextPathOf('src/..'), { path: '', error: contextPathOf('src/..').error });
    assert.notEqual(contextPathOf('src/..').error, null);
  });
});

describe('tasks.csv tags', () => {
  test('separated by spaces, commas or semicolons; duplicates (any case) dropped', () => {
    const { module, problems } = row({ tags: 'backend, api;Backend  models' });
    assert.deepEqual(problems, []);
    assert.deepEqual(module.tags?.map((t) => t.value), ['backend', 'api', 'models']);
    assert.deepEqual(module.tags?.map((t) => [t.line, t.column]), [[2, 10], [2, 10], [2, 10]]);
    assert.deepEqual(row({ tags: 'team:web ui/admin v1.2 c++' }).module.tags?.map((t) => t.value), ['team:web', 'ui/admin', 'v1.2', 'c++']);
    assert.equal(row({ tags: ' , ' }).module.tags, undefined);
  });

  test('a tag that cannot be one is a warning at the cell; the others are kept', () => {
    const { module, problems } = row({ tags: 'ok !bad -dash good' });
    assert.deepEqual(where(problems), [`${FILE}:2:10 warning malformed-field`, `${FILE}:2:10 warning malformed-field`]);
    assert.match(problems[0].message, /"!bad" is not a tag/);
    assert.deepEqual(module.tags?.map((t) => t.value), ['ok', 'good']);
  });
});

describe('positions', () => {
  test('after a multi-line task, problems name the line the cell starts on', () => {
    const text = 'id,task,agent,max_turns\nm1,"line one\nline two",claude,5\nm2,second,nope,zero\n';
    const doc = parseTasksCsv(FILE, text);
    assert.deepEqual(where(doc.problems), [`${FILE}:4:11 error unknown-agent`, `${FILE}:4:16 error malformed-field`]);
    assert.deepEqual(doc.phases[0].modules[0].agent, { value: 'claude', line: 3, column: 11 });
    assert.deepEqual(doc.phases[0].modules[0].maxTurns, { value: 5, line: 3, column: 18 });
  });

  test('READY.md modules have none of these fields: its grammar has no per-module agent or tags', async () => {
    const { ReadyParser } = await import('../../src/core/spec/parseReady');
    const doc = new ReadyParser().parse('READY.md', '# P\n\n## Implementation Phases\n\n### Phase 1: A\n\n**Modules:** one, two\n');
    for (const m of doc.phases[0].modules) {
      assert.deepEqual([m.agent, m.maxTurns, m.contextPath, m.tags], [undefined, undefined, undefined, undefined]);
    }
  });
});
