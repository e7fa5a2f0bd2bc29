// The prompt of a tasks.csv module says where it starts (context_path) and its turn budget (max_turns).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { buildPrompt } from '../../src/core/agents/prompt';

const WORKTREE = '/tmp/wt/phase-1-tasks/api';

function promptOf(row: string, header = 'id,task,max_turns,context_path'): string {
  const ws = new SpecWorkspace();
  ws.setSpec('tasks.csv', `${header}\n${row}\n`);
  const plan = ws.plan();
  assert.deepEqual(plan.problems.filter((p) => p.severity === 'error'), []);
  const phase = plan.phases[0];
  return buildPrompt({ plan, phase, module: phase.modules[0], worktree: WORKTREE, attempt: 1, previousSummary: null }).text;
}

function rules(text: string): string {
  const start = text.indexOf('\n## Rules\n');
  return text.slice(start + 1, text.indexOf('\n## ', start + 1));
}

describe('prompt: context path and turn budget', () => {
  test('the folder the agent starts in, relative and absolute, and the budget, in the rules', () => {
    const r = rules(promptOf('api,Build the API,25,services/api'));
    assert.ok(r.includes(`- Your work is in \`services/api\` (\`${WORKTREE}/services/api\`): you start in that folder.`), r);
    assert.match(r, /Paths in this prompt are relative to the worktree root/);
    assert.ok(r.includes('- You have 25 turns for this task: commit and report before they run out; you may be stopped after them.'), r);
  });

  test('one turn is singular; a folder with a backtick stays one code span', () => {
    const r = rules(promptOf('api,Build,1,"we`ird/x"'));
    assert.match(r, /You have 1 turn for this task/);
    assert.ok(r.includes('``we`ird/x``'), r);
  });

  test('without them the rules say nothing of either', () => {
    const r = rules(promptOf('api,Build the API,,'));
    assert.doesNotMatch(r, /Your work is in|turns? for this task/);
  });
});
