import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasksCsv } from '../../src/core/spec/tasksCsv';
import type { Problem } from '../../src/core/model';

const HEADER = 'id,agent,task,max_turns,context_path,output_file,tags';

function codes(problems: Problem[]): string[] {
  return problems.map((p) => `${p.severity}:${p.code}@${p.line}:${p.column}`);
}

describe('parseTasksCsv', () => {
  test('reads the seed format into one phase with one module per row', () => {
    const text = [
      HEADER,
      '1,codex,"Create user model with email, password_hash, created_at. Use SQLAlchemy ORM.",40,project,models/user.py,backend models',
      '2,codex,"Create auth middleware.",40,project,middleware/auth.py,backend auth',
      '',
    ].join('\n');
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.kind, 'tasks-csv');
    assert.equal(doc.file, 'tasks.csv');
    assert.equal(doc.phases.length, 1);
    const [phase] = doc.phases;
    assert.equal(phase.number, 1);
    assert.equal(phase.name, 'tasks');
    assert.equal(phase.slug, 'phase-1-tasks');
    assert.equal(phase.gate, null);
    assert.equal(phase.dependsOn, null);
    assert.deepEqual(phase.modules[0], {
      id: '1',
      line: 2,
      column: 1,
      implicit: false,
      goals: [{ value: 'Create user model with email, password_hash, created_at. Use SQLAlchemy ORM.', line: 2, column: 9 }],
      meta: { agent: 'codex', max_turns: '40', context_path: 'project', output_file: 'models/user.py', tags: 'backend models' },
      expectedFiles: [{ value: 'models/user.py', line: 2, column: 99 }],
      agent: { value: 'codex', line: 2, column: 3 },
      maxTurns: { value: 40, line: 2, column: 88 },
      contextPath: { value: 'project', line: 2, column: 91 },
      tags: [
        { value: 'backend', line: 2, column: 114 },
        { value: 'models', line: 2, column: 114 },
      ],
    });
    assert.equal(phase.modules[1].id, '2');
    assert.equal(phase.modules[1].line, 3);
  });

  test('the AI_CONDUCTOR sample: an agent that is no preset and a home-folder context path are errors at their cells', () => {
    const text = [
      HEADER,
      '1,grok,"Create user model with email, password_hash, created_at. Use SQLAlchemy ORM.",40,~/project,models/user.py,backend models',
      '',
    ].join('\n');
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(codes(doc.problems), ['error:unknown-agent@2:3', 'error:malformed-field@2:90']);
    assert.match(doc.problems[0].message, /"grok" is not an agent preset \(claude, codex, gemini, qwen, aider\)/);
    assert.match(doc.problems[1].message, /context_path: "~\/project" is not inside the module's worktree/);
    const [m] = doc.phases[0].modules;
    assert.equal(m.agent, undefined);
    assert.equal(m.contextPath, undefined);
    assert.equal(m.maxTurns?.value, 40);
  });

  test('uses the file stem as phase name', () => {
    const doc = parseTasksCsv('plans/Auth Batch.csv', 'id,task\na,b\n');
    assert.equal(doc.phases[0].name, 'Auth Batch');
    assert.equal(doc.phases[0].slug, 'phase-1-auth-batch');
  });

  test('embedded newlines keep the line numbers of the following rows right', () => {
    const text = 'id,task,output_file\nm1,"first line\nsecond line\nthird",a.ts\nm2,plain,b.ts\n';
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(doc.problems, []);
    const [m1, m2] = doc.phases[0].modules;
    assert.equal(m1.goals[0].value, 'first line\nsecond line\nthird');
    assert.deepEqual([m1.goals[0].line, m1.goals[0].column], [2, 4]);
    assert.deepEqual(m1.expectedFiles, [{ value: 'a.ts', line: 4, column: 8 }]);
    assert.deepEqual([m2.line, m2.column], [5, 1]);
    assert.deepEqual(m2.goals[0], { value: 'plain', line: 5, column: 4 });
  });

  test('doubled quotes become one quote', () => {
    const doc = parseTasksCsv('tasks.csv', 'id,task\nq,"Say ""hello"", then leave"\n');
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.phases[0].modules[0].goals[0].value, 'Say "hello", then leave');
  });

  test('CRLF line endings, a BOM and blank lines', () => {
    const text = '\uFEFFid,task\r\n\r\na,"one\r\ntwo"\r\n\r\nb,three\r\n,\r\n';
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(doc.problems, []);
    const [a, b] = doc.phases[0].modules;
    assert.equal(doc.phases[0].modules.length, 2);
    assert.deepEqual([a.id, a.line, a.column], ['a', 3, 1]);
    assert.equal(a.goals[0].value, 'one\r\ntwo');
    assert.deepEqual([b.id, b.line], ['b', 6]);
  });

  test('column order comes from the header, matched case-insensitively, extras kept', () => {
    const text = ' Task ,OUTPUT_FILE,Priority, ID \n"Build it",src/x.ts,high,build\n';
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(doc.problems, []);
    const [m] = doc.phases[0].modules;
    assert.deepEqual([m.id, m.line, m.column], ['build', 2, 26]);
    assert.deepEqual(m.goals, [{ value: 'Build it', line: 2, column: 1 }]);
    assert.deepEqual(m.meta, { output_file: 'src/x.ts', priority: 'high' });
    assert.deepEqual(m.expectedFiles, [{ value: 'src/x.ts', line: 2, column: 12 }]);
  });

  test('empty columns are left out of meta and expectedFiles', () => {
    const doc = parseTasksCsv('tasks.csv', `${HEADER}\nx,,do it,,,,\n`);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.phases[0].modules[0].meta, {});
    assert.deepEqual(doc.phases[0].modules[0].expectedFiles, []);
  });

  test('a missing id or task column is an error at line 1', () => {
    for (const text of ['agent,task\ngrok,x\n', 'id,agent\n1,grok\n', '', '\n\n']) {
      const doc = parseTasksCsv('tasks.csv', text);
      assert.deepEqual(codes(doc.problems), ['error:malformed-csv@1:1'], JSON.stringify(text));
      assert.equal(doc.phases[0].modules.length, 0);
    }
    const doc = parseTasksCsv('tasks.csv', 'agent,task\n');
    assert.match(doc.problems[0].message, /"id"/);
  });

  test('an unterminated quote is an error where the quoted field began', () => {
    const text = 'id,task\na,fine\nb,"never\nclosed\nc,x\n';
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(codes(doc.problems), ['error:malformed-csv@3:3']);
    assert.deepEqual(doc.phases[0].modules.map((m) => m.id), ['a']);
  });

  test('a ragged row is a warning, and what is there is used', () => {
    const text = 'id,task,agent\na,short\nb,long,codex,extra\nc,ok,codex\n';
    const doc = parseTasksCsv('tasks.csv', text);
    assert.deepEqual(codes(doc.problems), ['warning:malformed-csv@2:1', 'warning:malformed-csv@3:1']);
    const [a, b, c] = doc.phases[0].modules;
    assert.deepEqual([a.id, a.goals[0].value, a.meta], ['a', 'short', {}]);
    assert.deepEqual([b.id, b.meta, b.agent], ['b', { agent: 'codex' }, { value: 'codex', line: 3, column: 8 }]);
    assert.equal(c.id, 'c');
  });

  test('a row too short to have a task gets a missing-field warning', () => {
    const doc = parseTasksCsv('tasks.csv', 'id,agent,task\nonly\nx,gemini,"  "\n');
    assert.deepEqual(codes(doc.problems), ['warning:malformed-csv@2:1', 'warning:missing-field@2:1', 'warning:missing-field@3:10']);
    assert.deepEqual(doc.phases[0].modules.map((m) => m.goals), [[], []]);
  });

  test('invalid ids are errors at the id field; the module is kept', () => {
    const doc = parseTasksCsv('tasks.csv', 'task,id\ndo,"bad id"\ndo,ok\ndo,  \n');
    assert.deepEqual(codes(doc.problems), ['error:invalid-module-name@2:4', 'error:invalid-module-name@4:4']);
    assert.deepEqual(doc.phases[0].modules.map((m) => m.id), ['bad id', 'ok', '']);
    assert.match(doc.problems[0].message, /"bad id"/);
  });

  test('duplicate ids are errors at the second one', () => {
    const doc = parseTasksCsv('tasks.csv', 'id,task\nauth,a\nui,b\nauth,c\nAUTH,d\n');
    assert.deepEqual(codes(doc.problems), ['error:duplicate-module@4:1', 'error:duplicate-module@5:1']);
    assert.match(doc.problems[0].message, /line 2/);
    assert.equal(doc.phases[0].modules.length, 4);
  });

  test('ids are trimmed and positioned at their field', () => {
    const doc = parseTasksCsv('tasks.csv', 'task,id\nt,  spaced  \n');
    assert.deepEqual(doc.problems, []);
    assert.deepEqual([doc.phases[0].modules[0].id, doc.phases[0].modules[0].column], ['spaced', 3]);
  });

  test('text after a closing quote is kept and warned about', () => {
    const doc = parseTasksCsv('tasks.csv', 'id,task\na,"quoted" tail\n');
    assert.deepEqual(codes(doc.problems), ['warning:malformed-csv@2:11']);
    assert.equal(doc.phases[0].modules[0].goals[0].value, 'quoted tail');
  });

  test('a column named __proto__ stays data', () => {
    const doc = parseTasksCsv('tasks.csv', 'id,task,__proto__\na,b,c\n');
    const meta = doc.phases[0].modules[0].meta;
    assert.equal(Object.getPrototypeOf(meta), Object.prototype);
    assert.deepEqual(Object.entries(meta), [['__proto__', 'c']]);
  });

  test('a duplicated header column is a warning; the first one wins', () => {
    const doc = parseTasksCsv('tasks.csv', 'id,task,Task\na,first,second\n');
    assert.deepEqual(codes(doc.problems), ['warning:malformed-csv@1:9']);
    assert.equal(doc.phases[0].modules[0].goals[0].value, 'first');
  });
});
