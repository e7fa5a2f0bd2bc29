import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatusLine, splitLines, type StatusEvent } from '../../src/core/status/statusLine';
import { reduceModuleStatus } from '../../src/core/status/moduleStatus';

const MODULE_FILE = '.conductor/status/phase-2-catalog/search.jsonl';
const SHARED_FILE = '.conductor/status.jsonl';
const TS = '2025-03-01T10:20:30.456Z';

function line(fields: Record<string, unknown>): string {
  return JSON.stringify({ status: 'progress', ts: TS, ...fields });
}

function event(text: string, file = MODULE_FILE, lineNo = 1): StatusEvent {
  const r = parseStatusLine(text, { file, line: lineNo });
  assert.ok('event' in r, `expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

function problem(text: string, lineNo = 7) {
  const r = parseStatusLine(text, { file: SHARED_FILE, line: lineNo });
  assert.ok('problem' in r, `expected a problem, got ${JSON.stringify(r)}`);
  return r.problem;
}

describe('parseStatusLine: valid lines', () => {
  test('a full hook line becomes an event with every field', () => {
    const e = event(
      JSON.stringify({
        feature_id: 'feature-003-search',
        module: 'search',
        phase: 'phase-2-catalog',
        status: 'complete',
        ts: TS,
        summary: 'Search API done',
        files_created: ['src/search.ts', 'test/search.test.ts'],
        tests_passing: true,
        validation_output: '12 passed',
        gotchas_encountered: ['index must be rebuilt'],
        run_id: 'run-7',
        attempt: 2,
        token: 'secret-of-attempt-2',
      }),
      MODULE_FILE,
      4,
    );
    assert.deepEqual(e, {
      module: 'search',
      phase: 'phase-2-catalog',
      featureId: 'feature-003-search',
      status: 'complete',
      ts: Date.parse(TS),
      summary: 'Search API done',
      filesCreated: ['src/search.ts', 'test/search.test.ts'],
      testsPassing: true,
      validationOutput: '12 passed',
      gotchas: ['index must be rebuilt'],
      runId: 'run-7',
      token: 'secret-of-attempt-2',
      attempt: 2,
      file: MODULE_FILE,
      line: 4,
    });
  });

  test('the minimal seed-001 shape gets defaults; unknown fields are left out', () => {
    const e = event(JSON.stringify({ feature_id: '003', status: 'complete', ts: TS, duration_minutes: 45, extra: { a: 1 } }), SHARED_FILE);
    assert.equal(e.module, '003');
    assert.equal(e.featureId, '003');
    assert.equal(e.phase, null);
    assert.equal(e.summary, '');
    assert.deepEqual(e.filesCreated, []);
    assert.equal(e.testsPassing, null);
    assert.equal(e.validationOutput, null);
    assert.deepEqual(e.gotchas, []);
    assert.equal(e.runId, null);
    assert.equal(e.attempt, null);
    assert.ok(!('duration_minutes' in e) && !('extra' in e));
  });

  test('every status is accepted', () => {
    for (const status of ['started', 'progress', 'complete', 'failed', 'needs-input']) {
      assert.equal(event(line({ status })).status, status);
    }
  });

  test('a per-module file decides module and phase; the shared log uses module, then feature_id', () => {
    const inModuleFile = event(line({ module: 'other', phase: 'phase-9-x', feature_id: 'f-1' }));
    assert.equal(inModuleFile.module, 'search');
    assert.equal(inModuleFile.phase, 'phase-2-catalog');
    assert.equal(inModuleFile.featureId, 'f-1');
    assert.equal(event(line({ module: 'auth', feature_id: 'f-1' }), SHARED_FILE).module, 'auth');
    assert.equal(event(line({ feature_id: 'f-1' }), SHARED_FILE).module, 'f-1');
  });

  test('null optional fields count as absent', () => {
    const e = event(line({ summary: null, files_created: null, tests_passing: null, attempt: null, phase: null }));
    assert.equal(e.summary, '');
    assert.deepEqual(e.filesCreated, []);
    assert.equal(e.attempt, null);
  });

  test('timestamps: ISO with offset, without offset, with a space; numeric phase and digit-string attempt', () => {
    assert.equal(event(line({ ts: '2025-03-01T12:20:30+02:00' })).ts, Date.parse('2025-03-01T10:20:30Z'));
    assert.equal(event(line({ ts: '2025-03-01T10:20:30.123456' })).ts, Date.parse('2025-03-01T10:20:30.123'));
    assert.ok(Number.isFinite(event(line({ ts: '2025-03-01 10:20' })).ts));
    const e = event(line({ module: 'm', phase: 2, attempt: '3' }), SHARED_FILE);
    assert.equal(e.phase, '2');
    assert.equal(e.attempt, 3);
  });

  test('a byte-order mark and surrounding spaces are tolerated', () => {
    assert.equal(event(`\uFEFF  ${line({})}  `).status, 'progress');
  });
});

describe('parseStatusLine: malformed lines', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"status": "complete", ', /not valid JSON/],
    ['plain text', 'done!', /not valid JSON.*"done!"/],
    ['an array', '[1,2]', /expected a JSON object, found a list/],
    ['a string', '"complete"', /expected a JSON object/],
    ['null', 'null', /expected a JSON object, found null/],
    ['a number', '42', /expected a JSON object, found number 42/],
    ['empty', '   ', /empty/],
    ['no status', JSON.stringify({ module: 'm', ts: TS }), /"status" is missing/],
    ['unknown status', line({ module: 'm', status: 'done' }), /"status" must be one of .*"done"/],
    ['status of wrong type', line({ module: 'm', status: 1 }), /"status" must be one of/],
    ['no ts', JSON.stringify({ module: 'm', status: 'complete' }), /"ts" is missing/],
    ['unparseable ts', line({ module: 'm', ts: 'yesterday' }), /"ts" must be an ISO-8601 date-time, found "yesterday"/],
    ['impossible date', line({ module: 'm', ts: '2025-13-45T99:99:99Z' }), /"ts" must be an ISO-8601/],
    ['numeric ts', line({ module: 'm', ts: 1700000000000 }), /"ts" must be an ISO-8601.*number/],
    ['loose date text', line({ module: 'm', ts: 'March 7 2025' }), /"ts" must be an ISO-8601/],
    ['summary not a string', line({ module: 'm', summary: 5 }), /"summary" must be a string, found number 5/],
    ['module not a string', line({ module: ['m'] }), /"module" must be a string, found a list/],
    ['feature_id not a string', line({ feature_id: 3 }), /"feature_id" must be a string/],
    ['files_created not a list', line({ module: 'm', files_created: 'a.ts' }), /"files_created" must be a list of strings, found "a.ts"/],
    ['files_created with a number', line({ module: 'm', files_created: ['a.ts', 2] }), /item 2 is number 2/],
    ['tests_passing as text', line({ module: 'm', tests_passing: 'true' }), /"tests_passing" must be true, false or null/],
    ['validation_output as object', line({ module: 'm', validation_output: { ok: 1 } }), /"validation_output" must be a string, found an object/],
    ['gotchas not a list', line({ module: 'm', gotchas_encountered: 'x' }), /"gotchas_encountered" must be a list/],
    ['run_id as number', line({ module: 'm', run_id: 7 }), /"run_id" must be a string/],
    ['attempt zero', line({ module: 'm', attempt: 0 }), /"attempt" must be a positive whole number/],
    ['attempt fractional', line({ module: 'm', attempt: 1.5 }), /"attempt" must be a positive whole number/],
    ['attempt as word', line({ module: 'm', attempt: 'two' }), /"attempt" must be a positive whole number/],
    ['phase as object', line({ module: 'm', phase: {} }), /"phase" must be a phase slug or number/],
    ['no module in shared log', line({}), /names no module/],
    ['unsafe module name', line({ module: '../../etc' }), /not a valid module name/],
  ];
  for (const [name, text, pattern] of cases) {
    test(name, () => {
      const p = problem(text);
      assert.equal(p.code, 'malformed-status');
      assert.equal(p.file, SHARED_FILE);
      assert.equal(p.line, 7);
      assert.equal(p.column, 1);
      assert.match(p.message, pattern);
    });
  }

  test('several wrongly typed fields are reported together', () => {
    assert.match(problem(line({ module: 'm', summary: 1, run_id: 2 })).message, /"summary".*; "run_id"/);
  });

  test('a long garbage line is quoted shortened', () => {
    const p = problem('x'.repeat(10_000));
    assert.ok(p.message.length < 400, p.message);
  });
});

describe('splitLines', () => {
  test('complete lines are returned, the trailing partial line is carried', () => {
    assert.deepEqual(splitLines('a\nb\npart', ''), { lines: ['a', 'b'], carry: 'part' });
  });

  test('the carry is completed by the next piece', () => {
    const first = splitLines('{"status":', '');
    assert.deepEqual(first, { lines: [], carry: '{"status":' });
    const second = splitLines('"complete"}\n{"x', first.carry);
    assert.deepEqual(second, { lines: ['{"status":"complete"}'], carry: '{"x' });
  });

  test('CRLF endings are stripped; empty lines are kept (they still count for line numbers)', () => {
    assert.deepEqual(splitLines('a\r\n\r\nb\n', ''), { lines: ['a', '', 'b'], carry: '' });
  });

  test('no newline at all: everything is carried, nothing is reported', () => {
    assert.deepEqual(splitLines('garbage without end', 'more '), { lines: [], carry: 'more garbage without end' });
  });

  test('a line assembled from many one-character pieces parses', () => {
    const text = `${line({ module: 'm', summary: 'piecewise ✓' })}\n`;
    let carry = '';
    const lines: string[] = [];
    for (const ch of text) {
      const r = splitLines(ch, carry);
      lines.push(...r.lines);
      carry = r.carry;
    }
    assert.equal(lines.length, 1);
    assert.equal(carry, '');
    assert.equal(event(lines[0], SHARED_FILE).summary, 'piecewise ✓');
  });
});

describe('parseStatusLine: discoveries', () => {
  test('discovery and spec-correction lines are events of their kind, with their text in the summary', () => {
    for (const status of ['discovery', 'spec-correction']) {
      const e = event(line({ status, summary: 'Prices are cents', token: 't', attempt: 2, run_id: 'r1' }));
      assert.deepEqual([e.module, e.phase, e.status, e.summary, e.token, e.attempt, e.runId], ['search', 'phase-2-catalog', status, 'Prices are cents', 't', 2, 'r1']);
    }
  });

  test('a discovery without text is a problem', () => {
    for (const summary of [undefined, '', ' \n ']) {
      const p = problem(line({ status: 'discovery', module: 'search', summary }));
      assert.match(p.message, /a "discovery" line carries its text in "summary", which is empty/);
    }
  });

  test('an unknown status names every kind, the discovery kinds included', () => {
    assert.match(problem(line({ status: 'learned', module: 'm' })).message, /one of started, progress, complete, failed, needs-input, discovery, spec-correction/);
  });
});

describe('reduceModuleStatus', () => {
  const ev = (fields: Record<string, unknown>, n: number) => event(line({ ts: new Date(Date.parse(TS) + n).toISOString(), ...fields }), MODULE_FILE, n);

  test('no events: null', () => {
    assert.equal(reduceModuleStatus([]), null);
  });

  test('latest status and summary win; files accumulate; tests keep the last known value', () => {
    const s = reduceModuleStatus([
      ev({ status: 'started', attempt: 1 }, 1),
      ev({ summary: 'models', files_created: ['a.ts'], tests_passing: false, attempt: 1 }, 2),
      ev({ summary: 'api', files_created: ['b.ts', 'a.ts'], attempt: 1 }, 3),
      ev({ status: 'complete', summary: 'done', attempt: 1 }, 4),
    ]);
    assert.deepEqual(s, {
      status: 'complete',
      summary: 'done',
      ts: Date.parse(TS) + 4,
      filesCreated: ['a.ts', 'b.ts'],
      testsPassing: false,
      attempt: 1,
    });
  });

  test('a newer attempt starts fresh and older-attempt events are ignored afterwards', () => {
    const s = reduceModuleStatus([
      ev({ status: 'failed', files_created: ['old.ts'], tests_passing: false, attempt: 1 }, 1),
      ev({ status: 'started', attempt: 2 }, 2),
      ev({ status: 'complete', summary: 'late news from attempt 1', attempt: 1 }, 3),
      ev({ summary: 'retrying', files_created: ['new.ts'], attempt: 2 }, 4),
    ]);
    assert.equal(s?.status, 'progress');
    assert.equal(s?.summary, 'retrying');
    assert.deepEqual(s?.filesCreated, ['new.ts']);
    assert.equal(s?.testsPassing, null);
    assert.equal(s?.attempt, 2);
  });

  test('discoveries change nothing about the module\'s status', () => {
    const s = reduceModuleStatus([
      ev({ status: 'complete', summary: 'done', attempt: 1 }, 1),
      ev({ status: 'discovery', summary: 'the cache is per process', attempt: 1 }, 2),
      ev({ status: 'spec-correction', summary: 'the spec is wrong', attempt: 1 }, 3),
    ]);
    assert.deepEqual([s?.status, s?.summary, s?.ts], ['complete', 'done', Date.parse(TS) + 1]);
    assert.equal(reduceModuleStatus([ev({ status: 'discovery', summary: 'x' }, 1)]), null);
  });

  test('events without an attempt belong to the current attempt', () => {
    const s = reduceModuleStatus([ev({ status: 'started', attempt: 3 }, 1), ev({ status: 'needs-input', summary: 'which db?' }, 2)]);
    assert.equal(s?.status, 'needs-input');
    assert.equal(s?.attempt, 3);
  });
});

describe('parseStatusLine: one line is bounded', () => {
  test('a well-formed line longer than 1 MiB is a problem at its line, not an event (the catch-up read after an exit sees it whole)', () => {
    const huge = line({ status: 'progress', summary: 'x'.repeat(2 * 1024 * 1024) });
    const p = problem(huge, 3);
    assert.deepEqual([p.file, p.line, p.code], [SHARED_FILE, 3, 'malformed-status']);
    assert.match(p.message, /longer than 1048576 characters/);
  });

  test('a line just under the bound still reads', () => {
    const text = line({ summary: 'y'.repeat(1024 * 1024 - 200) });
    assert.ok(text.length <= 1024 * 1024);
    assert.equal(event(text).summary.length, 1024 * 1024 - 200);
  });
});
