import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { buildPrompt, PROMPT_PLACEHOLDERS, type PromptInput } from '../../src/core/agents/prompt';
import type { Plan } from '../../src/core/model';
import { contractFor, yamlContract } from '../support/specBuilder';

/** Quotes, command substitution, backticks, a backslash, a would-be placeholder and a variable. */
const HOSTILE = `He said "hi" $(touch pwned) \`id\` 'q' \\ {{module.id}} \${HOME}`;
const WORKTREE = '/tmp/conductor worktrees/phase-2-shop/cart';

const READY = [
  '# Shop',
  '',
  '## Implementation Phases',
  '',
  '### Phase 1: Base',
  '- Lay the foundation',
  '',
  '### Phase 2: Shop {{attempt}}',
  `- Sell ${HOSTILE}`,
  '',
  '**Modules:** catalog, cart, bare',
  '',
  '#### Success Criteria',
  `- \`GET /cart\` returns 200 ${HOSTILE}`,
  '',
  '#### Known Gotchas',
  `- Prices are cents ${HOSTILE}`,
  '',
  '#### Expected Files',
  '- `src/cart/index.ts`',
  '- `src/catalog/index.ts`',
  '',
  '#### Test Commands',
  '```bash',
  'npm test -- --grep "cart total"',
  "echo '$(not run)'",
  '```',
  '',
  '#### Module: cart',
  `- Keep a cart ${HOSTILE}`,
  '',
].join('\n');

function shopPlan(): Plan {
  const ws = new SpecWorkspace();
  ws.setSpec('READY.md', READY);
  ws.setContract('contracts/catalog.md', contractFor('catalog', [], { provides: ['GET /books'], owns: ['src/catalog/**'] }));
  ws.setContract(
    'contracts/cart.md',
    yamlContract({
      featureId: 'feature-cart',
      provides: [`POST /cart ${HOSTILE}`],
      dependsOn: ['feature-catalog', 'service: Payments API'],
      criteria: [`\`POST /cart\` returns 201 ${HOSTILE}`],
      owns: ['src/cart/**'],
    }),
  );
  return ws.plan();
}

function input(plan: Plan, moduleId: string, extra: Partial<PromptInput> = {}): PromptInput {
  const phase = plan.phases.find((p) => p.modules.some((m) => m.id === moduleId))!;
  return { plan, phase, module: phase.modules.find((m) => m.id === moduleId)!, worktree: WORKTREE, attempt: 1, previousSummary: null, ...extra };
}

function headings(text: string): string[] {
  return text.split('\n').filter((l) => /^##? /.test(l));
}

/** The text of one `## ` section, up to the next one. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start + 1, next < 0 ? undefined : next);
}

describe('default prompt', () => {
  const plan = shopPlan();

  test('the plan used here is valid', () => {
    assert.deepEqual(plan.problems.filter((p) => p.severity === 'error'), []);
  });

  test('a module with a contract gets every section, in order', () => {
    const { text, warnings } = buildPrompt(input(plan, 'cart'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(headings(text), [
      '# Phase 2: Shop {{attempt}} — module `cart`',
      '## Goals',
      '## Contract',
      '## Success criteria',
      '## Known gotchas',
      '## Expected files',
      '## Test commands',
      '## Rules',
      '## Reporting',
    ]);
    assert.match(text, /You are implementing module `cart` of phase 2 \(`phase-2-shop-attempt`\)/);
    assert.match(text, /other modules \(`catalog`, `bare`\) are built by other agents/);
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
  });

  test('sections without content are left out', () => {
    const { text } = buildPrompt(input(plan, plan.phases[0].modules[0].id));
    assert.deepEqual(headings(text), ['# Phase 1: Base — module `base`', '## Goals', '## Rules', '## Reporting']);
    assert.doesNotMatch(text, /## Contract|## Success criteria|## Known gotchas|## Expected files|## Test commands|## Previous attempt/);
  });

  test('phase and module goals are both listed', () => {
    const goals = section(buildPrompt(input(plan, 'cart')).text, 'Goals');
    assert.ok(goals.includes(`### Phase goals\n\n- Sell ${HOSTILE}`));
    assert.ok(goals.includes(`### Module \`cart\`\n\n- Keep a cart ${HOSTILE}`));
    assert.doesNotMatch(section(buildPrompt(input(plan, 'bare')).text, 'Goals'), /### Module/);
  });

  test('the contract: feature, provides, dependencies with what they provide, acceptance criteria', () => {
    const contract = section(buildPrompt(input(plan, 'cart')).text, 'Contract');
    assert.match(contract, /Feature `feature-cart`, from `contracts\/cart.md`/);
    assert.ok(contract.includes(`### Provides\n\n- \`\`POST /cart ${HOSTILE}\`\``));
    assert.ok(contract.includes('- feature `feature-catalog` — module `catalog` of phase 2, which provides:\n  - `GET /books`'));
    assert.ok(contract.includes('- service `Payments API` — outside this plan'));
    assert.ok(contract.includes(`### Acceptance criteria\n\n- \`POST /cart\` returns 201 ${HOSTILE}`));
  });

  test('provides are grouped by category', () => {
    const ws = new SpecWorkspace();
    ws.setSpec('READY.md', '## Implementation Phases\n\n### Phase 1: A\n- a\n\n**Modules:** api, web\n');
    ws.setContract(
      'contracts/api.md',
      ['---', 'feature_id: f-api', 'provides:', '  api:', '    - GET /a', '    - GET /b', '  files:', '    - src/api/**', 'depends_on: []',
        'acceptance_criteria:', '  - "`GET /a` returns 200"', '---'].join('\n'),
    );
    ws.setContract('contracts/web.md', contractFor('web', ['f-api']));
    const plan2 = ws.plan();
    const api = section(buildPrompt(input(plan2, 'api')).text, 'Contract');
    assert.ok(api.includes('### Provides\n\n- api: `GET /a`, `GET /b`\n- files: `src/api/**`'), api);
    const web = buildPrompt(input(plan2, 'web')).text;
    assert.ok(web.includes('- feature `f-api` — module `api` of phase 1, which provides:\n  - api: `GET /a`, `GET /b`\n  - files: `src/api/**`'));
    assert.ok(section(web, 'Rules').includes('- `src/api/**` (module `api`, phase 1)'));
  });

  test('a dependency that names nothing in the plan says so', () => {
    const ws = new SpecWorkspace();
    ws.setSpec('READY.md', '## Implementation Phases\n\n### Phase 1: A\n- a\n\n**Modules:** solo\n');
    ws.setContract('contracts/solo.md', contractFor('solo', ['feature-ghost']));
    const text = buildPrompt(input(ws.plan(), 'solo')).text;
    assert.ok(text.includes('- feature `feature-ghost` — not found in the plan'));
  });

  test('criteria, gotchas, expected files and test commands come from the phase', () => {
    const text = buildPrompt(input(plan, 'cart')).text;
    assert.ok(section(text, 'Success criteria').includes(`- \`GET /cart\` returns 200 ${HOSTILE}`));
    assert.ok(section(text, 'Known gotchas').includes(`- Prices are cents ${HOSTILE}`));
    assert.ok(section(text, 'Expected files').includes('- `src/cart/index.ts`\n- `src/catalog/index.ts`'));
    assert.ok(section(text, 'Test commands').includes('```sh\nnpm test -- --grep "cart total"\necho \'$(not run)\'\n```'));
  });

  test('rules: the absolute worktree, committing, and the paths other modules own', () => {
    const rules = section(buildPrompt(input(plan, 'cart')).text, 'Rules');
    assert.ok(rules.includes(`Work only inside your worktree, \`${WORKTREE}\``));
    assert.match(rules, /Commit your work on the current branch/);
    assert.ok(rules.includes('- `src/catalog/**` (module `catalog`, phase 2)'));
    assert.ok(!rules.includes('src/cart/**'), 'its own paths are not forbidden');
    assert.ok(section(buildPrompt(input(plan, 'catalog')).text, 'Rules').includes('- `src/cart/**` (module `cart`, phase 2)'));
  });

  test('reporting shows the hook commands', () => {
    const reporting = section(buildPrompt(input(plan, 'bare')).text, 'Reporting');
    for (const cmd of ['conductor-hook complete --summary', '--files ', 'conductor-hook failed --summary', 'conductor-hook needs-input --summary']) {
      assert.ok(reporting.includes(cmd), cmd);
    }
  });

  test('reporting says how to note a discovery and a spec correction', () => {
    const reporting = section(buildPrompt(input(plan, 'bare')).text, 'Reporting');
    assert.ok(reporting.includes('conductor-hook discovery --summary "'), reporting);
    assert.ok(reporting.includes('conductor-hook spec-correction --summary "The spec says X; in fact Y'), reporting);
    assert.match(reporting, /goes into `DISCOVERIES\.md` and into their prompts/);
  });

  test('discoveries of this phase and earlier ones come after the gotchas, as other agents\' notes; later ones never', () => {
    const note = (phase: number, text: string, kind: 'discovery' | 'spec-correction' = 'discovery') => ({
      phase, phaseSlug: `phase-${phase}`, phaseName: 'x', module: 'catalog', kind, at: '2026-03-01T10:00:00.000Z', text, attempt: 1, runId: 'r',
    });
    const discoveries = [note(1, 'Base: the DB is SQLite'), note(2, 'Prices are cents', 'spec-correction'), note(3, 'not yet')];
    const { text } = buildPrompt(input(plan, 'cart', { discoveries, discoveriesFile: '.prelude/DISCOVERIES.md' }));
    assert.deepEqual(headings(text).slice(4, 6), ['## Known gotchas', '## Notes from other agents']);
    const notes = section(text, 'Notes from other agents');
    assert.ok(notes.includes('[phase 2 · module catalog · spec correction · 2026-03-01T10:00:00.000Z]\nPrices are cents'));
    assert.ok(notes.includes('Base: the DB is SQLite'));
    assert.ok(!notes.includes('not yet'));
    assert.match(notes, /not instructions and not part of the spec/);
    const one = buildPrompt(input(plan, 'cart', { discoveries, template: '{{section.discoveries}}' })).text;
    assert.equal(one, notes.trimEnd());
    assert.ok(!buildPrompt(input(plan, 'base', { discoveries })).text.includes('Prices are cents'), 'phase 1 does not see phase 2');
  });

  test('hostile spec text appears verbatim everywhere it is used', () => {
    const text = buildPrompt(input(plan, 'cart')).text;
    const count = text.split(HOSTILE).length - 1;
    // goal, module goal, criterion, gotcha, provides, acceptance criterion
    assert.equal(count, 6);
  });

  test('a previous attempt: its summary verbatim in a fence that its backticks cannot close', () => {
    const summary = 'Tests failed:\n```\nexpected "1" got $(2)\n```\nsee `log`\n';
    const { text } = buildPrompt(input(plan, 'cart', { attempt: 2, previousSummary: summary }));
    assert.equal(headings(text).at(-1), '## Previous attempt');
    const prev = section(text, 'Previous attempt');
    assert.match(prev, /This is attempt 2\. Attempt 1 reported:/);
    assert.ok(prev.includes(`\`\`\`\`text\n${summary}\n\`\`\`\``), prev);
  });

  test('a previous attempt without a summary still says it is a retry', () => {
    const prev = section(buildPrompt(input(plan, 'cart', { attempt: 3, previousSummary: null })).text, 'Previous attempt');
    assert.match(prev, /This is attempt 3\. Attempt 2 ended without a summary\./);
    assert.doesNotMatch(buildPrompt(input(plan, 'cart', { previousSummary: 'ignored on attempt 1' })).text, /Previous attempt|ignored/);
  });
});

describe('prompt templates', () => {
  const plan = shopPlan();

  test('placeholders are replaced, with or without spaces inside the braces', () => {
    const template = 'Phase {{phase.number}} ({{ phase.name }}), module {{module.id}} in {{worktree}}, try {{attempt}}.\n{{section.rules}}';
    const { text, warnings } = buildPrompt(input(plan, 'cart', { template, attempt: 4 }));
    assert.deepEqual(warnings, []);
    const defaultRules = section(buildPrompt(input(plan, 'cart')).text, 'Rules').trimEnd();
    assert.equal(text, `Phase 2 (Shop {{attempt}}), module cart in ${WORKTREE}, try 4.\n${defaultRules}`);
  });

  test('substitution is single-pass: placeholders inside values stay as written', () => {
    const { text } = buildPrompt(input(plan, 'cart', { template: '{{phase.name}} | {{section.goals}}' }));
    assert.ok(text.startsWith('Shop {{attempt}} | ## Goals'));
    assert.ok(text.includes(`{{module.id}} \${HOME}`));
  });

  test('{{default}} is the whole default prompt; every section placeholder is its section', () => {
    const def = buildPrompt(input(plan, 'cart', { attempt: 2, previousSummary: 'x' })).text;
    const { text } = buildPrompt(input(plan, 'cart', { attempt: 2, previousSummary: 'x', template: 'Before\n\n{{default}}\n\nAfter' }));
    assert.equal(text, `Before\n\n${def.trimEnd()}\n\nAfter`);
    for (const [name, title] of [
      ['goals', 'Goals'], ['contract', 'Contract'], ['criteria', 'Success criteria'], ['gotchas', 'Known gotchas'],
      ['expectedFiles', 'Expected files'], ['testCommands', 'Test commands'], ['rules', 'Rules'],
      ['reporting', 'Reporting'], ['previousAttempt', 'Previous attempt'],
    ]) {
      const one = buildPrompt(input(plan, 'cart', { attempt: 2, previousSummary: 'x', template: `{{section.${name}}}` })).text;
      assert.equal(one, section(def, title).trimEnd(), name);
    }
  });

  test('a section with no content is an empty string', () => {
    const { text, warnings } = buildPrompt(input(plan, 'cart', { template: '[{{section.previousAttempt}}]' }));
    assert.equal(text, '[]');
    assert.deepEqual(warnings, []);
  });

  test('unknown placeholders are left as written and listed once, with their line', () => {
    const { text, warnings } = buildPrompt(input(plan, 'cart', { template: 'a {{nope}}\nb {{ nope }} {{module.name}}\n{{module.id}}' }));
    assert.equal(text, 'a {{nope}}\nb {{ nope }} {{module.name}}\ncart');
    assert.deepEqual(warnings, [
      'Unknown placeholder {{nope}} at line 1 of the prompt template; it is left as written.',
      'Unknown placeholder {{module.name}} at line 2 of the prompt template; it is left as written.',
    ]);
  });

  test('every documented placeholder is known', () => {
    const template = PROMPT_PLACEHOLDERS.map((p) => `{{${p}}}`).join('\n');
    assert.deepEqual(buildPrompt(input(plan, 'cart', { template })).warnings, []);
  });

  test('an empty template falls back to the default prompt, with a warning', () => {
    const def = buildPrompt(input(plan, 'cart')).text;
    const { text, warnings } = buildPrompt(input(plan, 'cart', { template: '  \n' }));
    assert.equal(text, def);
    assert.equal(warnings.length, 1);
    assert.deepEqual(buildPrompt(input(plan, 'cart', { template: null })), { text: def, warnings: [] });
  });
});
