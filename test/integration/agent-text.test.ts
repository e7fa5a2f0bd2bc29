// Text from agents (their output with --show-output, the summaries they report) is printed by the
// CLI with control sequences removed: an agent cannot recolour, retitle or rewrite the user's terminal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import { contractFor, readyMd } from '../support/specBuilder';

const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a'] }]), 'contracts/a.md': contractFor('a') });
after(() => repo.cleanup());

const HOSTILE = '\x1b]0;owned title\x07\x1b[31mred\x1b[0m \x1b[2J\x1b[Hcleared\rover\x08\x9b31m c1 \u202Eevil';

test('agent output and summaries reach the terminal without escape or control sequences', async () => {
  const plan = path.join(repo.root, '..', 'plan.json');
  writeFileSync(
    plan,
    JSON.stringify({
      a: [{ print: `out ${HOSTILE}` }, { write: 'a.txt', content: 'a' }, { commit: 'a' }, { report: 'complete', summary: `done ${HOSTILE}` }],
    }),
  );
  const r = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--show-output'], { SCRIPTED_AGENT_PLAN: plan });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const clean = 'red clearedover c1 evil';
  assert.match(r.stdout, new RegExp(`\\[phase-1-shop/a\\] out ${clean}`));
  assert.match(r.stdout, new RegExp(`a: running → complete — done ${clean}`));
  const control = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
  assert.doesNotMatch(r.stdout, control);
  const status = await conductorBin(repo.root, ['status']);
  assert.match(status.stdout, new RegExp(`— done ${clean}`));
  assert.doesNotMatch(status.stdout, control);
});
