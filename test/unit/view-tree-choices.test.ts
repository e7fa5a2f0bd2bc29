// The Phases tree shows a tasks.csv module's own choices: its agent where it is not the phase's, its
// tags as labels, its turn budget and start folder in the tooltip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseNodes, type ModuleNode, type TreeContext } from '../../src/core/view/phaseTree';
import { emptyState } from '../../src/core/run/model';
import { createPhaseRun } from '../../src/core/run/createRun';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { T0, apply, at, stateOf } from '../support/viewFixtures';

const ctx: TreeContext = { active: new Set(), terminals: new Set(), now: T0 };

function plan() {
  const ws = new SpecWorkspace();
  ws.setSpec(
    'tasks.csv',
    ['id,agent,task,max_turns,context_path,tags', 'api,,Build the API,,,backend', 'web,codex,Build the *site*,12,apps/web,frontend ui_kit', 'docs,claude,Write docs,,,'].join('\n'),
  );
  return ws.plan();
}

const mod = (nodes: ReturnType<typeof phaseNodes>, id: string): ModuleNode => nodes[0].children.find((m) => m.module === id)!;

describe('tree: tasks.csv choices', () => {
  test('never conducted: the agent the row names, the tags as labels; details in the tooltip', () => {
    const nodes = phaseNodes(plan(), emptyState(), ctx);
    assert.equal(mod(nodes, 'api').description, 'wave 1 · #backend');
    assert.equal(mod(nodes, 'web').description, 'wave 1 · codex · #frontend #ui_kit');
    assert.equal(mod(nodes, 'docs').description, 'wave 1 · claude');
    const tip = mod(nodes, 'web').tooltip;
    assert.match(tip, /^- Agent: `codex`$/m);
    assert.match(tip, /^- Turn budget: 12$/m);
    assert.match(tip, /^- Starts in: `apps\/web`$/m);
    assert.match(tip, /^- Tags: frontend, ui\\_kit$/m, 'tags are markdown-escaped');
  });

  test('conducted with claude: only the modules whose agent differs show one, as their attempt recorded it', () => {
    const p = plan();
    let run = createPhaseRun(p.phases[0], { runId: 'r', baseCommit: 'b', now: at(0), worktreeRoot: '/w', agent: 'claude', maxParallel: 4, retries: 1 });
    run = apply(
      run,
      { type: 'started', module: 'web', attempt: 1, pid: 5, baseCommit: 'b', agent: 'codex', at: at(1) },
      { type: 'started', module: 'docs', attempt: 1, pid: 6, baseCommit: 'b', agent: 'claude', at: at(1) },
    );
    const nodes = phaseNodes(p, stateOf(run), ctx);
    assert.match(mod(nodes, 'web').description ?? '', /· codex · #frontend #ui_kit$/);
    assert.doesNotMatch(mod(nodes, 'docs').description ?? '', /claude/);
    assert.match(mod(nodes, 'web').tooltip, /^- Agent: `codex` \(the phase's: `claude`\)$/m);
    assert.doesNotMatch(mod(nodes, 'docs').tooltip, /Agent:/);
    assert.doesNotMatch(mod(nodes, 'api').tooltip, /Agent:|Turn budget|Starts in/);
  });
});
