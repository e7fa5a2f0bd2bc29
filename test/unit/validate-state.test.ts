import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, MODULE_STATES, STATE_VERSION } from '../../src/core/run/model';
import { parseState } from '../../src/core/run/validateState';

const fails = (text: string) => {
  const r = parseState(text);
  assert.ok(!r.ok, `expected a refusal for ${text}`);
  return r;
};

describe('parseState', () => {
  test('a valid file reads', () => {
    assert.deepEqual(parseState(JSON.stringify(emptyState())), { ok: true, state: emptyState() });
  });

  test('a newer version is told apart from a corrupt file', () => {
    const r = fails(JSON.stringify({ version: STATE_VERSION + 1, phases: {}, more: 1 }));
    assert.equal(r.newerVersion, STATE_VERSION + 1);
    assert.match(r.reason, new RegExp(`state version ${STATE_VERSION + 1}; this build reads version ${STATE_VERSION}`));
    assert.equal(fails(JSON.stringify({ version: 0, phases: {} })).newerVersion, null);
    assert.equal(fails(JSON.stringify({ version: '2', phases: {} })).newerVersion, null);
  });

  test('what is wrong is said, down to the field', () => {
    assert.match(fails('{ oops').reason, /^not JSON/);
    assert.equal(fails('[]').reason, 'not a JSON object');
    assert.equal(fails(JSON.stringify({ version: STATE_VERSION })).reason, 'phases is missing');
    assert.equal(fails(JSON.stringify({ version: STATE_VERSION, phases: 42 })).reason, 'phases is not an object');
    const phase = { number: 1, slug: 'p', runId: 'r', state: 'done', baseCommit: 'abc', startedAt: 't', maxParallel: 2, retries: 1, modules: [{ id: 'cart', state: 'bogus' }] };
    assert.equal(fails(JSON.stringify({ version: STATE_VERSION, phases: { p: phase } })).reason, `phase p: module cart: state is not one of ${MODULE_STATES.join(', ')}`);
    assert.equal(fails(JSON.stringify({ version: STATE_VERSION, phases: { p: { ...phase, retries: 'x' } } })).reason, 'phase p: retries is not a whole number');
    // --validate-waves' records are read by the planner: a hand-broken list is refused, not trusted.
    const ok = { ...phase, modules: [] };
    assert.equal(fails(JSON.stringify({ version: STATE_VERSION, phases: { p: { ...ok, waveChecks: [{ deps: 'a' }] } } })).reason, 'phase p: waveChecks is not a list of checks (deps, heads, passed, summary)');
    const check = { deps: ['a'], heads: ['abc'], passed: true, summary: 'passed', signature: null, integrationCommit: null, at: 't' };
    assert.equal(parseState(JSON.stringify({ version: STATE_VERSION, phases: { p: { ...ok, waveChecks: [check] } } })).ok, true);
  });
});
