// The sections of an agent's prompt, each a markdown block or '' when there is nothing to say.
// Spec text is copied verbatim (list items, code spans, fences): the prompt is a file the agent reads,
// never part of a command line.

import type { Discovery } from '../discoveries/discovery';
import type { Contract, Located, Plan, PlannedModule, PlannedPhase, ProvidesEntry } from '../model';
import type { FixFinding } from '../run/model';
import { fixFindingsSection } from './fixSection';
import { discoveriesSection } from './discoveriesSection';
import { codeSpan, fencedBlock } from './markdownText';
import { launchRules } from './promptLaunch';

export interface PromptInput {
  plan: Plan;
  phase: PlannedPhase;
  module: PlannedModule;
  /** Absolute path of the module's worktree. */
  worktree: string;
  /** 1-based. */
  attempt: number;
  /** What the previous attempt reported, or null. */
  previousSummary: string | null;
  /** A user template with {{placeholders}}; null or absent for the default prompt. */
  template?: string | null;
  /** A fix round: the findings this attempt must fix, and the integration branch they were found on. */
  fixFindings?: readonly FixFinding[] | null;
  integrationBranch?: string | null;
  /** Every discovery recorded so far; those of this phase and earlier ones go into the prompt. */
  discoveries?: readonly Discovery[];
  /** DISCOVERIES.md, relative to the repository, named when not every discovery fits. */
  discoveriesFile?: string;
}

export const SECTION_NAMES = [
  'fixFindings',
  'goals',
  'contract',
  'criteria',
  'gotchas',
  'discoveries',
  'expectedFiles',
  'testCommands',
  'rules',
  'reporting',
  'previousAttempt',
] as const;

export type SectionName = (typeof SECTION_NAMES)[number];

export type PromptSections = Record<SectionName, string>;

export function promptSections(input: PromptInput): PromptSections {
  return {
    fixFindings: fixFindingsSection(input.fixFindings, input.integrationBranch ?? null),
    goals: goalsSection(input),
    contract: contractSection(input),
    criteria: listSection('Success criteria', 'The phase is done when:', input.phase.successCriteria),
    gotchas: listSection('Known gotchas', null, input.phase.gotchas),
    discoveries: discoveriesSection(input),
    expectedFiles: expectedFilesSection(input),
    testCommands: testCommandsSection(input),
    rules: rulesSection(input),
    reporting: REPORTING,
    previousAttempt: previousAttemptSection(input),
  };
}

export function headerOf(input: PromptInput): string {
  const { phase, module } = input;
  const others = phase.modules.filter((m) => m.id !== module.id).map((m) => codeSpan(m.id));
  const lines = [
    `# Phase ${phase.number}: ${phase.name} — module ${codeSpan(module.id)}`,
    '',
    `You are implementing module ${codeSpan(module.id)} of phase ${phase.number} (${codeSpan(phase.slug)}), ` +
      'in a git worktree of your own.',
  ];
  if (others.length > 0) {
    lines.push(`The phase's other modules (${others.join(', ')}) are built by other agents, each in its own worktree.`);
  }
  return lines.join('\n');
}

function bullets(items: readonly Located[], format: (value: string) => string = (v) => v): string[] {
  return items.map((i) => `- ${format(i.value)}`);
}

function listSection(title: string, intro: string | null, items: readonly Located[]): string {
  if (items.length === 0) return '';
  return [`## ${title}`, '', ...(intro ? [intro, ''] : []), ...bullets(items)].join('\n');
}

function goalsSection({ phase, module }: PromptInput): string {
  const moduleGoals = module.goals.filter((g) => !phase.goals.some((p) => p.value === g.value));
  const parts: string[] = [];
  if (phase.goals.length > 0) parts.push('### Phase goals', '', ...bullets(phase.goals));
  if (moduleGoals.length > 0) {
    if (parts.length > 0) parts.push('');
    parts.push(`### Module ${codeSpan(module.id)}`, '', ...bullets(moduleGoals));
  }
  return parts.length === 0 ? '' : ['## Goals', '', ...parts].join('\n');
}

/** Provides entries grouped by category, in the order the categories first appear; uncategorised first. */
function groupedProvides(provides: readonly ProvidesEntry[]): [string | null, string[]][] {
  const groups = new Map<string | null, string[]>();
  if (provides.some((p) => p.category === null)) groups.set(null, []);
  for (const p of provides) {
    const list = groups.get(p.category) ?? [];
    list.push(p.value);
    groups.set(p.category, list);
  }
  return [...groups.entries()];
}

function providesLines(provides: readonly ProvidesEntry[], indent: string): string[] {
  const lines: string[] = [];
  for (const [category, values] of groupedProvides(provides)) {
    if (category === null) for (const v of values) lines.push(`${indent}- ${codeSpan(v)}`);
    else lines.push(`${indent}- ${category}: ${values.map(codeSpan).join(', ')}`);
  }
  return lines;
}

interface ResolvedDependency {
  module: PlannedModule;
  phase: number;
}

/** The module a dependency names (feature id first, then module id), preferring this phase, then the latest earlier one. */
function resolveDependency(plan: Plan, fromPhase: number, name: string): ResolvedDependency | null {
  const candidates = (match: (m: PlannedModule) => boolean): ResolvedDependency[] =>
    plan.phases.flatMap((p) => p.modules.filter(match).map((m) => ({ module: m, phase: p.number })));
  let found = candidates((m) => m.featureId === name);
  if (found.length === 0) found = candidates((m) => m.id === name);
  if (found.length === 0) return null;
  const same = found.find((f) => f.phase === fromPhase);
  if (same) return same;
  const earlier = found.filter((f) => f.phase < fromPhase);
  return earlier.length > 0 ? earlier[earlier.length - 1] : found[0];
}

function dependencyLines(input: PromptInput, contract: Contract): string[] {
  const lines: string[] = [];
  for (const dep of contract.dependsOn) {
    const head = `- ${dep.kind} ${codeSpan(dep.value)}${dep.note ? ` ${dep.note}` : ''}`;
    if (dep.kind !== 'feature' && dep.kind !== 'module') {
      lines.push(`${head} — outside this plan`);
      continue;
    }
    const target = resolveDependency(input.plan, input.phase.number, dep.value);
    if (!target) {
      lines.push(`${head} — not found in the plan`);
      continue;
    }
    const where =
      target.module.id === dep.value ? `phase ${target.phase}` : `module ${codeSpan(target.module.id)} of phase ${target.phase}`;
    const provides = target.module.contract?.provides ?? [];
    if (provides.length === 0) {
      lines.push(`${head} — ${where}; its contract lists nothing it provides`);
    } else {
      lines.push(`${head} — ${where}, which provides:`, ...providesLines(provides, '  '));
    }
  }
  return lines;
}

function contractSection(input: PromptInput): string {
  const contract = input.module.contract;
  if (!contract) return '';
  const lines = ['## Contract', ''];
  const feature = contract.featureId ? `Feature ${codeSpan(contract.featureId.value)}, from` : 'From';
  lines.push(`${feature} ${codeSpan(contract.file)}. Build exactly what it promises; other modules rely on it.`);
  if (contract.provides.length > 0) lines.push('', '### Provides', '', ...providesLines(contract.provides, ''));
  if (contract.dependsOn.length > 0) {
    lines.push('', '### Depends on', '', 'Use these as their contracts describe; do not change them.', '', ...dependencyLines(input, contract));
  }
  if (contract.acceptanceCriteria.length > 0) {
    lines.push('', '### Acceptance criteria', '', ...bullets(contract.acceptanceCriteria));
  }
  return lines.join('\n');
}

function expectedFilesSection({ phase, module }: PromptInput): string {
  const own = module.expectedFiles;
  const shared = phase.expectedFiles.filter((f) => !own.some((o) => o.value === f.value));
  if (own.length === 0 && shared.length === 0) return '';
  const lines = ['## Expected files'];
  if (own.length > 0) lines.push('', `### Module ${codeSpan(module.id)}`, '', ...bullets(own, codeSpan));
  if (shared.length > 0) {
    const title = phase.modules.length > 1 ? '### The phase (some belong to other modules)' : '### The phase';
    lines.push('', ...(own.length > 0 || phase.modules.length > 1 ? [title, ''] : []), ...bullets(shared, codeSpan));
  }
  return lines.join('\n');
}

function testCommandsSection({ phase }: PromptInput): string {
  if (phase.testCommands.length === 0) return '';
  return [
    '## Test commands',
    '',
    'Run these from the worktree root before you report, and say whether they pass with `--tests-passing`:',
    '',
    fencedBlock(phase.testCommands.map((c) => c.value).join('\n'), 'sh'),
  ].join('\n');
}

/** Paths other modules own (`owns` and `files` provides of their contracts), with who owns them. */
function ownedElsewhere({ plan, module }: PromptInput): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const phase of plan.phases) {
    for (const other of phase.modules) {
      const contract = other.contract;
      if (!contract || other.id === module.id || contract.file === module.contract?.file) continue;
      const patterns = [...contract.owns, ...contract.provides.filter((p) => p.category?.toLowerCase() === 'files')];
      for (const p of patterns) {
        const key = `${p.value}\0${other.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        lines.push(`- ${codeSpan(p.value)} (module ${codeSpan(other.id)}, phase ${phase.number})`);
      }
    }
  }
  return lines;
}

function rulesSection(input: PromptInput): string {
  const lines = [
    '## Rules',
    '',
    `- Work only inside your worktree, ${codeSpan(input.worktree)}: do not create, change or delete files outside it.`,
    '- Commit your work on the current branch (`git add`, `git commit`) before you report completion. ' +
      'Do not switch branches, rebase, merge or push.',
    '- Do not write the status file yourself; report with the `conductor-hook` command as shown below (it is on your `PATH`).',
    ...launchRules(input.module, input.worktree),
  ];
  const owned = ownedElsewhere(input);
  if (owned.length > 0) lines.push('', 'These paths belong to other modules; do not modify them:', '', ...owned);
  return lines.join('\n');
}

const REPORTING = [
  '## Reporting',
  '',
  'When your work is committed, report completion once, listing the files you created or changed ' +
    '(comma-separated, relative to the worktree):',
  '',
  '```sh',
  'conductor-hook complete --summary "What you built" --files src/a.ts,src/b.ts --tests-passing true',
  '```',
  '',
  'If you cannot finish, say why:',
  '',
  '```sh',
  'conductor-hook failed --summary "What went wrong and what you tried"',
  '```',
  '',
  'If you need a decision from a person, ask and stop:',
  '',
  '```sh',
  'conductor-hook needs-input --summary "Your question"',
  '```',
  '',
  'You may also report progress along the way: `conductor-hook progress --summary "…"`.',
  '',
  'When you learn something the agents of later phases should know (how a library really behaves, ' +
    'a trap in the existing code), note it; it goes into `DISCOVERIES.md` and into their prompts:',
  '',
  '```sh',
  'conductor-hook discovery --summary "What you learned, and where"',
  '```',
  '',
  'When the spec is wrong about a fact (an API, a library, the existing code), say so with the evidence, ' +
    'and do not redesign beyond what the evidence shows:',
  '',
  '```sh',
  'conductor-hook spec-correction --summary "The spec says X; in fact Y (evidence: error message, file and line)"',
  '```',
].join('\n');

function previousAttemptSection({ attempt, previousSummary }: PromptInput): string {
  if (attempt <= 1) return '';
  const lines = ['## Previous attempt', ''];
  if (previousSummary !== null && previousSummary.trim() !== '') {
    lines.push(`This is attempt ${attempt}. Attempt ${attempt - 1} reported:`, '', fencedBlock(previousSummary, 'text'));
  } else {
    lines.push(`This is attempt ${attempt}. Attempt ${attempt - 1} ended without a summary.`);
  }
  lines.push('', 'Start from what is already committed on this branch; fix what made the last attempt fail.');
  return lines.join('\n');
}
