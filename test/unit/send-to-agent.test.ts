// Send to Agent's pure part: the findings of selected merge/validation diagnostics per module, and
// the fix event that makes the module pending again with them (src/core/planRun/sendToAgent.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { FixFinding, ModuleState, PhaseProgress, PhaseRun } from '../../src/core/run/model';
import { conflictFinding, groupByModule, sendFindings, validationFinding } from '../../src/core/planRun/sendToAgent';
import { findingsByModule } from '../../src/core/planRun/fixRound';
import { nextPlanStep, phaseState } from '../../src/core/planRun/planStep';
import type { MergeOutcome } from '../../src/core/planRun/outcome';
import type { ValidationResult } from '../../src/core/validate/findings';

const plan = planOf(readyMd([{ number: 1, name: 'Base', modules: ['a', 'b'] }]), { 'contracts/a.md': contractFor('a'), 'contracts/b.md': contractFor('b') });

function runWith(states: Record<string, ModuleState>): PhaseRun {
  const run = createPhaseRun(plan.phases[0], { runId: 'r', baseCommit: 'base', now: '2026-01-01T00:00:00Z', worktreeRoot: '/w', agent: 'x', maxParallel: 2, retries: 1 });
  return { ...run, modules: run.modules.map((m) => ({ ...m, state: states[m.id] ?? 'complete', attempts: 1, attemptLimit: 2, finishedAt: '2026-01-01T00:01:00Z', verifiedHead: 'h' })) };
}

const failing: FixFinding = { source: 'test-command', file: 'src/a/index.test.js', line: 3, message: 'expected 2, got 3', command: 'node --test', outputTail: 'not ok 1' };
const lint: FixFinding = { source: 'lint-command', file: 'src/a/index.js', line: 1, message: 'unused variable', command: 'eslint', outputTail: '' };
const AT = '2026-01-02T00:00:00Z';

describe('groupByModule', () => {
  test('several diagnostics of one module are one attempt; each finding once; modules in the order first seen', () => {
    const groups = groupByModule([
      { phase: 1, module: 'b', finding: lint },
      { phase: 1, module: 'a', finding: failing },
      { phase: 1, module: 'b', finding: failing },
      { phase: 1, module: 'a', finding: { ...failing } },
    ]);
    assert.deepEqual(groups, [
      { phase: 1, module: 'b', findings: [lint, failing] },
      { phase: 1, module: 'a', findings: [failing] },
    ]);
  });
});

describe('sendFindings', () => {
  test('a complete module goes pending with the findings for its next attempt, other modules untouched', () => {
    const run = runWith({});
    const sent = sendFindings(run, 'a', [failing, lint], { retries: 1, at: AT });
    assert.ok('run' in sent);
    const a = sent.run.modules.find((m) => m.id === 'a')!;
    assert.deepEqual([a.state, a.fixFindings, a.fixRounds, a.attemptLimit, a.verifiedHead, a.finishedAt], ['pending', [failing, lint], 1, 3, null, null]);
    assert.deepEqual(sent.run.modules.find((m) => m.id === 'b'), run.modules.find((m) => m.id === 'b'));
  });

  test('a module still waiting with findings keeps them and gets the new ones too', () => {
    const first = sendFindings(runWith({}), 'a', [failing], { retries: 0, at: AT });
    assert.ok('run' in first);
    const second = sendFindings(first.run, 'a', [failing, lint], { retries: 0, at: AT });
    assert.ok('run' in second);
    assert.deepEqual(second.run.modules.find((m) => m.id === 'a')?.fixFindings, [failing, lint]);
  });

  test('a failed module can be sent findings too', () => {
    const sent = sendFindings(runWith({ a: 'failed' }), 'a', [failing], { retries: 0, at: AT });
    assert.equal('run' in sent && sent.run.modules[0].state, 'pending');
  });

  test('refused while the module\'s agent is live, for an unknown module, and with nothing to send', () => {
    for (const state of ['running', 'needs-input'] as const) {
      const sent = sendFindings(runWith({ a: state }), 'a', [failing], { retries: 0, at: AT });
      assert.match('refused' in sent ? sent.refused : '', new RegExp(`a's agent is running \\(${state}\\)`));
    }
    assert.match(JSON.stringify(sendFindings(runWith({}), 'zz', [failing], { retries: 0, at: AT })), /phase 1 has no module zz/);
    assert.match(JSON.stringify(sendFindings(runWith({}), 'a', [], { retries: 0, at: AT })), /no finding to send to a/);
  });
});

describe('sendFindings on a phase a plan run got to', () => {
  const progress = (change: Partial<PhaseProgress>): PhaseProgress => ({
    state: 'done',
    fixRound: 1,
    startedFrom: 'base',
    integrationCommit: 'tip',
    checkpoint: 'refs/conductor/checkpoints/phase-1',
    reason: null,
    unowned: [],
    signature: '[["a",["x"]]]',
    updatedAt: '2026-01-01T00:02:00Z',
    ...change,
  });

  test('a done phase is being fixed again: it leaves done, its checkpoint no longer vouches for it, and a plan run conducts it again', () => {
    const sent = sendFindings({ ...runWith({}), progress: progress({}) }, 'a', [failing], { retries: 0, at: AT });
    assert.ok('run' in sent);
    const p = sent.run.progress!;
    assert.deepEqual(
      [p.state, p.checkpoint, p.fixRound, p.signature, p.integrationCommit, p.startedFrom, p.updatedAt],
      ['fixing', null, 0, null, 'tip', 'base', AT],
    );
    assert.match(p.reason ?? '', /findings sent to a/);
    assert.equal(phaseState(sent.run), 'fixing');
    const step = nextPlanStep(plan, { version: 1, phases: { [sent.run.slug]: sent.run } }, { range: { from: 1, to: 1 }, approved: new Set() });
    assert.equal(step.type, 'conduct');
  });

  test('a phase waiting to merge, or failed, is being fixed too; one already fixing keeps its round', () => {
    for (const state of ['merging', 'validating', 'failed'] as const) {
      const sent = sendFindings({ ...runWith({}), progress: progress({ state, checkpoint: null }) }, 'a', [failing], { retries: 0, at: AT });
      assert.equal('run' in sent && sent.run.progress?.state, 'fixing', state);
    }
    const fixing = sendFindings({ ...runWith({}), progress: progress({ state: 'fixing', fixRound: 2, checkpoint: null }) }, 'a', [failing], { retries: 0, at: AT });
    assert.deepEqual('run' in fixing && [fixing.run.progress?.state, fixing.run.progress?.fixRound], ['fixing', 2]);
  });

  test('a phase conducted alone (no plan run) gets no plan-run progress', () => {
    const sent = sendFindings(runWith({}), 'a', [failing], { retries: 0, at: AT });
    assert.equal('run' in sent && sent.run.progress, undefined);
  });
});

describe('findings as a fix round and Send to Agent word them', () => {
  test('the fix round\'s findings are the ones a diagnostic carries', () => {
    const conflict = { module: 'b', with: ['a'], file: 'src/shared.ts', startLine: 2, endLine: 3 };
    const v: ValidationResult = {
      kind: 'test-command',
      command: 'node --test',
      exitCode: 1,
      durationMs: 5,
      outputTail: 'one\ntwo',
      findings: [{ source: 'test-command', file: 'src/a/x.test.js', line: 4, column: null, severity: 'error', message: 'boom', module: 'a' }],
    };
    const outcome: MergeOutcome = { integrationBranch: 'conductor/integration/phase-1-base', integrationCommit: 'tip', merged: ['a'], notMerged: [], conflicts: [conflict], validation: [v], ok: false };
    const { owned } = findingsByModule(runWith({}), outcome);
    assert.deepEqual(owned.get('b'), [conflictFinding(conflict, outcome.integrationBranch)]);
    assert.deepEqual(owned.get('a'), [validationFinding(v, v.findings[0])]);
    assert.deepEqual(validationFinding(v, v.findings[0]), { source: 'test-command', file: 'src/a/x.test.js', line: 4, message: 'boom', command: 'node --test', outputTail: 'one\ntwo' });
    assert.match(conflictFinding(conflict, 'conductor/integration/phase-1-base').message, /merging your branch into conductor\/integration\/phase-1-base conflicts with a \(lines 2-3\)/);
  });
});
