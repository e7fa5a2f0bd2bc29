// `conductor report` end to end: a phase conducted by the scripted agent in a real repository (one
// module failing its first attempt), merged and validated, then the plan report, its timeline and
// the phase's report — every figure read back from what the run recorded.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import { descendants, parseXml, type XmlElement } from '../support/xmlCheck';
import type { PlanReport } from '../../src/core/report/planReport';
import { planTimelineSvg } from '../../src/infra/report/writePlanReport';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

const byClass = (root: XmlElement, cls: string): XmlElement[] => descendants(root).filter((e) => (e.attrs.class ?? '').split(' ').includes(cls));

describe('report', () => {
  let repo: TempRepo;
  const files: Record<string, string> = {
    'READY.md': readyMd([
      { number: 1, name: 'Shop', modules: ['a', 'b', 'c'] },
      { number: 2, name: 'Later', modules: ['d'] },
    ]),
    'contracts/a.md': contractFor('a'),
    'contracts/b.md': contractFor('b'),
    'contracts/c.md': contractFor('c', ['a']),
    'contracts/d.md': contractFor('d', [], { phase: 2 }),
  };
  const reports = (file: string): string => path.join(repo.root, '.conductor', 'reports', file);

  before(async () => {
    // Phase 1: a and b, then c (after a); phase 2 is never conducted.
    repo = makeRepo(files);
    repos.push(repo);
    const plan = path.join(repo.root, '..', 'agent-plan.json');
    writeFileSync(plan, JSON.stringify({ a: [{ failOnAttempt: 1 }, { write: 'a.txt', content: 'a' }, { commit: 'a' }, { report: 'complete', summary: 'a done' }] }));
    const conduct = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--retries', '1', '--quiet'], { SCRIPTED_AGENT_PLAN: plan });
    assert.equal(conduct.code, 0, conduct.stdout + conduct.stderr);
    const merge = await conductorBin(repo.root, ['merge', '1']);
    assert.equal(merge.code, 0, merge.stdout + merge.stderr);
  });

  test('no phase argument: plan.md, plan.json and timeline.svg, and the phase reports they link to', async () => {
    const r = await conductorBin(repo.root, ['report']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Plan report\n/);
    assert.match(r.stdout, /Written to \.conductor\/reports\/plan\.md \(timeline: \.conductor\/reports\/timeline\.svg\)\n$/);
    const md = readFileSync(reports('plan.md'), 'utf8');
    assert.equal(r.stdout.startsWith(md), true, 'printed as written');
    assert.match(md, /!\[Timeline of the run\]\(timeline\.svg\)/);
    // a ran twice (its first attempt failed): 4 attempts; no conflicts over 3 pairs; merged, so integration is measured.
    assert.match(md, /\| \[1: Shop\]\(phase-1\.md\) \| done \| `refs\/conductor\/checkpoints\/phase-1` \| 3 \| 4 \| 0 \| 0 in 0 of 3 pair\(s\) \| [^|—]+ \| [^|—]+ \| [^|]+ \| \d+\.\d\d× \| \d+% \([^)]+\) \| — \| — \|/);
    assert.match(md, /\| 2: Later \| pending \| — \| 1 \| — \| — \| — \| — \| — \| — \| — \| — \| — \| — \|/);
    assert.ok(existsSync(reports('phase-1.md')), 'the linked phase report exists');
    assert.ok(!existsSync(reports('phase-2.md')));

    const json = JSON.parse(readFileSync(reports('plan.json'), 'utf8')) as PlanReport;
    const [p1, p2] = json.phases;
    assert.deepEqual([p1.modules, p1.attempts, p1.fixRounds, p1.state, p1.merged, p1.conflicts], [3, 4, 0, 'done', 3, []]);
    assert.ok(p1.wallTimeMs! > 0 && p1.moduleTimeMs! > 0 && p1.integrationMs! > 0);
    assert.equal(p1.speedup, p1.moduleTimeMs! / p1.wallTimeMs!);
    assert.equal(p1.integrationShare, p1.integrationMs! / p1.wallTimeMs!);
    assert.deepEqual([p2.state, p2.attempts, p2.wallTimeMs], ['pending', null, null]);
    assert.equal(json.totals.attempts, 4);
  });

  test('the timeline: a row per module in its wave, one bar per attempt, the merge and validation', async () => {
    const r = await conductorBin(repo.root, ['report', 'plan']);
    assert.equal(r.code, 0, r.stderr);
    const svg = parseXml(readFileSync(reports('timeline.svg'), 'utf8'));
    const phases = byClass(svg, 'phase');
    assert.deepEqual(phases.map((p) => p.attrs['data-phase']), ['1'], 'phase 2 has not run');
    const waves = byClass(phases[0], 'wave').map((w) => [w.attrs['data-wave'], byClass(w, 'module').map((m) => m.attrs['data-module'])]);
    assert.deepEqual(waves, [['1', ['a', 'b']], ['2', ['c']]]);
    const bars = (id: string) => byClass(phases[0], 'module').find((m) => m.attrs['data-module'] === id)!.children.filter((e) => e.name === 'rect');
    assert.deepEqual(bars('a').map((b) => [b.attrs['data-attempt'], b.attrs.class]), [['1', 'attempt failed'], ['2', 'attempt complete']]);
    assert.deepEqual(bars('b').map((b) => b.attrs.class), ['attempt complete']);
    assert.deepEqual(bars('c').map((b) => b.attrs.class), ['attempt complete']);
    assert.equal(byClass(svg, 'attempt').length, 4);
    assert.equal(byClass(phases[0], 'merge').length, 1);
    assert.equal(byClass(phases[0], 'validate').length, 1);
  });

  test('the editor\'s timeline (drawn from the files, without git) is the one written', async () => {
    await conductorBin(repo.root, ['report']);
    const { 'READY.md': ready, ...contracts } = files;
    const state = JSON.parse(readFileSync(path.join(repo.root, '.conductor', 'state.json'), 'utf8'));
    // Nothing runs any more: the picture does not depend on the time it is drawn.
    const svg = await planTimelineSvg(path.join(repo.root, '.conductor'), planOf(ready, contracts), state);
    assert.equal(svg, readFileSync(reports('timeline.svg'), 'utf8'));
  });

  test('--json prints the plan report object', async () => {
    const r = await conductorBin(repo.root, ['report', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as PlanReport;
    assert.deepEqual(printed.phases.map((p) => [p.number, p.state, p.attempts]), [[1, 'done', 4], [2, 'pending', null]]);
  });

  test('a phase argument still writes that phase\'s report, now with its own timeline', async () => {
    const r = await conductorBin(repo.root, ['report', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Phase 1: Shop — report\n/);
    assert.match(r.stdout, /Written to \.conductor\/reports\/phase-1\.md\n$/);
    assert.match(readFileSync(reports('phase-1.md'), 'utf8'), /!\[Timeline of phase 1\]\(timeline-phase-1\.svg\)/);
    const svg = parseXml(readFileSync(reports('timeline-phase-1.svg'), 'utf8'));
    assert.equal(byClass(svg, 'attempt').length, 4);
  });
});
