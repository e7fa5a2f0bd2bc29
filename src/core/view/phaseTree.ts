// The Phases tree as plain data: phase -> module -> details (contract, worktree, last summary).
// Ids are stable across refreshes so VS Code keeps expansion and selection; every node carries the
// phase (and module) the commands need, so a menu command gets what a CodeLens command gets.
import { DISCOVERY_KIND_LABEL, discoveryKey, type Discovery } from '../discoveries/discovery';
import { renderDiscoveriesMarkdown } from '../discoveries/discoveriesMarkdown';
import type { Plan } from '../model';
import type { ModuleState, RunStateFile } from '../run/model';
import { LIVE_STATES } from '../run/model';
import { codeSpan, escapeMarkdown, formatDuration, plural, spanMs, truncate } from './format';
import { MODULE_ICON, MODULE_STATE_LABEL, PHASE_ICON, PHASE_STATUS_LABEL, moduleContextValue, type ViewIcon } from './looks';
import { phaseRows, type ModuleRow, type PhaseRow } from './phaseRows';
import { plainLines } from './plainText';
import { choiceParts, choiceTooltip } from './moduleChoices';
import { TREE_ITEM_KIND, VIEW_COMMAND, terminalKey, type CommandTarget, type OpenAtLine } from './viewIds';
import { formatUsage, phaseUsage } from '../report/usage';
import { conflictNodes, type ConflictNode, type PhaseConflicts } from './conflictNodes';

export type { ConflictNode } from './conflictNodes';

export interface ViewCommand {
  command: string;
  title: string;
  args: unknown[];
}

interface NodeBase extends CommandTarget {
  /** `phase:<slug>`, `module:<slug>/<id>`, `contract:<slug>/<id>`, … */
  id: string;
  parentId: string | null;
  label: string;
  description?: string;
  /** Markdown; theme icons (`$(pass)`) allowed, everything from specs and agents escaped. */
  tooltip: string;
  icon?: ViewIcon;
  contextValue: string;
  /** Run on click. */
  command?: ViewCommand;
  phaseSlug: string;
}

export interface PhaseNode extends NodeBase {
  kind: 'phase';
  /** Initially expanded (VS Code remembers the user's choice afterwards, by id). */
  expanded: boolean;
  children: ModuleNode[];
}

export interface ModuleNode extends NodeBase {
  kind: 'module';
  module: string;
  state: ModuleState;
  children: (DetailNode | ConflictNode)[];
}

export interface DetailNode extends NodeBase {
  kind: 'contract' | 'worktree' | 'summary' | 'discovery';
  module: string;
  children: [];
}

export type TreeNode = PhaseNode | ModuleNode | DetailNode | ConflictNode;

export interface TreeContext {
  /** Phase slugs conducted by this window. */
  active: ReadonlySet<string>;
  /** `<phase-slug>/<module>` keys with an open agent terminal. */
  terminals: ReadonlySet<string>;
  /** Milliseconds since the epoch, for the durations of running modules. */
  now: number;
  /** Every discovery recorded (`.conductor/discoveries.jsonl`): each under its module. */
  discoveries?: readonly Discovery[];
  /** DISCOVERIES.md relative to the workspace folder, opened at an entry when one is clicked. */
  discoveriesFile?: string;
  /** Each phase's last Merge & Validate, by slug: its conflicts are rows under their modules. */
  merges?: ReadonlyMap<string, PhaseConflicts>;
}

/** A module's discoveries, with the line of each in DISCOVERIES.md. */
interface ModuleDiscovery {
  d: Discovery;
  line: number | null;
}

/** By `<phase number>/<module>`, in the order recorded. */
function discoveriesByModule(ctx: TreeContext): Map<string, ModuleDiscovery[]> {
  const all = ctx.discoveries ?? [];
  const lines = all.length > 0 ? renderDiscoveriesMarkdown(all).lines : new Map<string, number>();
  const out = new Map<string, ModuleDiscovery[]>();
  for (const d of all) {
    const key = `${d.phase}/${d.module}`;
    out.set(key, [...(out.get(key) ?? []), { d, line: lines.get(discoveryKey(d)) ?? null }]);
  }
  return out;
}

const SUMMARY_LABEL_MAX = 80;

export function phaseNodes(plan: Plan | null, state: RunStateFile, ctx: TreeContext): PhaseNode[] {
  const rows = phaseRows(plan, state, ctx.active);
  // The first phase not yet complete starts expanded, as do conducted ones.
  const next = rows.find((r) => r.status !== 'complete' && r.status !== 'complete-unverified');
  const found = discoveriesByModule(ctx);
  return rows.map((r) => phaseNode(r, ctx, r === next, found));
}

/** Every node by id, for `getParent` and for finding the current version of a node. */
export function indexNodes(roots: readonly PhaseNode[]): Map<string, TreeNode> {
  const index = new Map<string, TreeNode>();
  const add = (n: TreeNode): void => {
    index.set(n.id, n);
    n.children.forEach(add);
  };
  roots.forEach(add);
  return index;
}

function phaseNode(r: PhaseRow, ctx: TreeContext, isNext: boolean, found: Map<string, ModuleDiscovery[]>): PhaseNode {
  const id = `phase:${r.slug}`;
  return {
    kind: 'phase',
    id,
    parentId: null,
    phase: r.number,
    phaseSlug: r.slug,
    label: `Phase ${r.number}: ${r.name}`,
    description: phaseDescription(r, ctx.merges?.get(r.slug)),
    tooltip: phaseTooltip(r, ctx),
    icon: PHASE_ICON[r.status],
    contextValue: r.gated ? TREE_ITEM_KIND.phaseGated : r.run?.progress?.state === 'done' && r.run.progress.checkpoint ? TREE_ITEM_KIND.phaseDone : TREE_ITEM_KIND.phase,
    expanded: r.run !== null || r.running || isNext,
    children: r.modules.map((m) => moduleNode(r, m, id, ctx, found.get(`${r.number}/${m.id}`) ?? [])),
  };
}

function phaseDescription(r: PhaseRow, merge: PhaseConflicts | undefined): string {
  const c = r.counts;
  const parts = [`${c.done}/${c.total} complete`];
  const conflicting = new Set(merge?.conflicts.map((x) => x.module)).size;
  if (conflicting > 0) parts.push(`merge conflict${conflicting > 1 ? `s (${conflicting} modules)` : ''}`);
  if (c.waiting > 0) parts.push(`${c.waiting} waiting`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (r.gated) parts.push('gate');
  const progress = r.run?.progress;
  // A plan run's own word for where the phase is, once its modules are through.
  if (progress && progress.state !== 'conducting' && progress.state !== 'pending') {
    parts.push(progress.state === 'fixing' ? (progress.fixRound > 0 ? `fixing (round ${progress.fixRound})` : 'fixing') : progress.state === 'done' && progress.checkpoint ? 'done · checkpoint' : progress.state);
  }
  if (r.stale) parts.push('stale');
  if (r.running) parts.push('running');
  else if (r.run?.state === 'halted') parts.push('halted');
  else if (r.status === 'interrupted') parts.push('interrupted');
  if (r.notInPlan) parts.push('not in the plan');
  return parts.join(' · ');
}

function phaseTooltip(r: PhaseRow, ctx: TreeContext): string {
  const c = r.counts;
  const lines = [`$(${PHASE_ICON[r.status].id}) **Phase ${r.number}: ${escapeMarkdown(r.name)}** — ${PHASE_STATUS_LABEL[r.status]}`, ''];
  const tally = [`${c.done}/${c.total} complete`];
  for (const [n, word] of [
    [c.running, 'running'],
    [c.waiting, 'waiting for input'],
    [c.failed, 'failed'],
    [c.blocked, 'blocked'],
    [c.interrupted, 'interrupted'],
    [c.unverified, 'unverified'],
  ] as const) {
    if (n > 0) tally.push(`${n} ${word}`);
  }
  lines.push(`- ${tally.join(' · ')}`);
  if (r.planned) {
    const waves = r.planned.waves;
    lines.push(`- ${plural(r.planned.modules.length, 'module')} in ${plural(waves.length, 'wave')}: ${waves.map((w, i) => `${i + 1}. ${w.map(escapeMarkdown).join(', ')}`).join(' · ')}`);
    if (r.planned.dependsOn.length > 0) lines.push(`- Depends on ${r.planned.dependsOn.map((n) => `Phase ${n}`).join(', ')}`);
    if (r.planned.gate === 'manual') lines.push(`- Gate: manual — ${r.gated ? 'needs approval before it starts' : 'approved'}`);
  }
  if (r.run) {
    const ran = spanMs(r.run.startedAt, r.running ? ctx.now : r.run.finishedAt);
    lines.push(`- Agent: ${escapeMarkdown(r.run.agent)}${ran !== null ? ` · ${r.running ? 'running for' : 'took'} ${formatDuration(ran)}` : ''}`);
    if (r.run.haltReason) lines.push(`- Halted: ${escapeMarkdown(r.run.haltReason)}`);
    const progress = r.run.progress;
    if (progress) {
      lines.push(`- Plan run: ${progress.state}${progress.fixRound > 0 ? ` after ${plural(progress.fixRound, 'fix round')}` : ''}${progress.checkpoint ? ` · checkpoint \`${progress.checkpoint}\`` : ''}`);
      if (progress.reason) lines.push(`- ${escapeMarkdown(progress.reason)}`);
    }
    if (r.stale) lines.push(`- Stale: ${escapeMarkdown(r.stale)}`);
    const usage = formatUsage(phaseUsage(r.run));
    if (usage) lines.push(`- Usage: ${usage}`);
  }
  if (r.notInPlan) lines.push('- Not in the plan any more (renamed or removed from READY.md)');
  return lines.join('\n');
}

function moduleNode(r: PhaseRow, m: ModuleRow, parentId: string, ctx: TreeContext, found: ModuleDiscovery[]): ModuleNode {
  const id = `module:${r.slug}/${m.id}`;
  const target = { phase: r.number, module: m.id };
  const hasTerminal = ctx.terminals.has(terminalKey(r.slug, m.id));
  return {
    kind: 'module',
    id,
    parentId,
    ...target,
    phaseSlug: r.slug,
    state: m.state,
    label: m.id,
    description: [moduleDescription(m, ctx.now), ...choiceParts(m, r.run?.agent ?? null)].join(' · '),
    tooltip: moduleTooltip(m, ctx.now, found, choiceTooltip(m, r.run?.agent ?? null)),
    icon: MODULE_ICON[m.state],
    contextValue: moduleContextValue(m.state),
    command: hasTerminal ? { command: VIEW_COMMAND.focusTerminal, title: 'Focus Agent Terminal', args: [target] } : undefined,
    children: [
      ...conflictNodes({ phase: r.number, phaseSlug: r.slug, module: m.id, parentId: id }, ctx.merges?.get(r.slug)),
      ...detailNodes(r, m, id),
      ...discoveryNodes(r, m, id, found, ctx.discoveriesFile),
    ],
  };
}

function moduleDuration(m: ModuleRow, now: number): number | null {
  const rec = m.record;
  if (!rec || rec.startedAt === null) return null;
  if (LIVE_STATES.has(rec.state)) return spanMs(rec.startedAt, now);
  return spanMs(rec.startedAt, rec.finishedAt);
}

function moduleDescription(m: ModuleRow, now: number): string {
  const parts = [`wave ${m.wave}`];
  const ms = moduleDuration(m, now);
  if (ms !== null) parts.push(formatDuration(ms));
  if (m.record && m.record.attempts > 1) parts.push(`attempt ${m.record.attempts}`);
  if (m.notInPlan) parts.push('not in the plan');
  return parts.join(' · ');
}

function moduleTooltip(m: ModuleRow, now: number, found: readonly ModuleDiscovery[], choices: string[]): string {
  const rec = m.record;
  const lines = [`$(${MODULE_ICON[m.state].id}) **${escapeMarkdown(m.id)}** — ${MODULE_STATE_LABEL[m.state]}`, ''];
  if (rec?.lastSummary) lines.push(`> ${escapeMarkdown(rec.lastSummary).replace(/\r?\n/g, '\n> ')}`, '');
  const deps = rec?.dependsOn ?? m.planned?.dependsOn ?? [];
  lines.push(`- Wave ${m.wave}${deps.length > 0 ? ` · depends on ${deps.map(escapeMarkdown).join(', ')}` : ''}`);
  const featureId = rec?.featureId ?? m.planned?.featureId ?? null;
  const contract = m.planned?.contract?.file ?? null;
  if (contract) lines.push(`- Contract: ${codeSpan(contract)}${featureId ? ` (${escapeMarkdown(featureId)})` : ''}`);
  else if (featureId) lines.push(`- Feature: ${escapeMarkdown(featureId)}`);
  lines.push(...choices);
  if (rec) {
    const ms = moduleDuration(m, now);
    if (ms !== null) lines.push(`- ${LIVE_STATES.has(rec.state) ? 'Running for' : 'Took'} ${formatDuration(ms)}`);
    lines.push(`- Branch: ${codeSpan(rec.branch)}`);
    lines.push(`- Worktree: ${codeSpan(rec.worktree)}`);
    lines.push(`- Files changed: ${rec.filesCreated.length}`);
    lines.push(`- Attempts: ${rec.attempts} of ${rec.attemptLimit}`);
    if (rec.testsPassing !== null) lines.push(`- Tests: ${rec.testsPassing ? 'passing' : 'failing'} (as the agent reported)`);
    const usage = formatUsage(rec.usage);
    if (usage) lines.push(`- Usage: ${usage}`);
    if (rec.sessionId) lines.push(`- Agent session: ${codeSpan(rec.sessionId)}`);
    if (rec.state === 'paused') lines.push(`- Paused by a usage limit${rec.resumeAt ? `; resumes at ${escapeMarkdown(rec.resumeAt)}` : '; resume the phase to go on'}`);
  } else {
    lines.push('- Not conducted yet');
  }
  if (found.length > 0) {
    const corrections = found.filter((x) => x.d.kind === 'spec-correction').length;
    lines.push(`- Reported ${plural(found.length - corrections, 'discovery', 'discoveries')} and ${plural(corrections, 'spec correction')} (in DISCOVERIES.md)`);
  }
  if (m.notInPlan) lines.push('- Not in the plan any more (renamed or removed from READY.md)');
  return lines.join('\n');
}

function detailNodes(r: PhaseRow, m: ModuleRow, parentId: string): DetailNode[] {
  const base = { parentId, phase: r.number, module: m.id, phaseSlug: r.slug, children: [] as [] };
  const key = `${r.slug}/${m.id}`;
  const out: DetailNode[] = [];
  const contract = m.planned?.contract?.file;
  if (contract) {
    out.push({
      ...base,
      kind: 'contract',
      id: `contract:${key}`,
      label: `contract: ${contract}`,
      tooltip: `Open ${codeSpan(contract)}`,
      icon: { id: 'file-text' },
      contextValue: TREE_ITEM_KIND.contract,
      command: { command: VIEW_COMMAND.open, title: 'Open Contract', args: [contract] },
    });
  }
  const rec = m.record;
  // The worktree exists once the module was started (the record names it from the first run on).
  if (rec && (rec.attempts > 0 || rec.startedAt !== null)) {
    out.push({
      ...base,
      kind: 'worktree',
      id: `worktree:${key}`,
      label: `worktree: ${rec.worktree}`,
      tooltip: `Worktree ${codeSpan(rec.worktree)} on branch ${codeSpan(rec.branch)}`,
      icon: { id: 'folder' },
      contextValue: TREE_ITEM_KIND.worktree,
    });
  }
  if (rec?.lastSummary) {
    out.push({
      ...base,
      kind: 'summary',
      id: `summary:${key}`,
      label: truncate(rec.lastSummary, SUMMARY_LABEL_MAX),
      tooltip: escapeMarkdown(rec.lastSummary).replace(/\r?\n/g, '  \n'),
      icon: { id: 'comment' },
      contextValue: TREE_ITEM_KIND.summary,
    });
  }
  return out;
}

const DISCOVERY_ICON: Readonly<Record<Discovery['kind'], ViewIcon>> = {
  discovery: { id: 'lightbulb' },
  'spec-correction': { id: 'warning', color: 'list.warningForeground' },
};

/** One node per discovery the module's agents reported; a click opens DISCOVERIES.md at it. */
function discoveryNodes(r: PhaseRow, m: ModuleRow, parentId: string, found: readonly ModuleDiscovery[], file: string | undefined): DetailNode[] {
  return found.map(({ d, line }, i) => {
    const kind = DISCOVERY_KIND_LABEL[d.kind];
    const text = plainLines(d.text);
    const open: ViewCommand | undefined =
      file && line !== null ? { command: VIEW_COMMAND.open, title: 'Open DISCOVERIES.md', args: [file, { line } satisfies OpenAtLine] } : undefined;
    return {
      kind: 'discovery',
      id: `discovery:${r.slug}/${m.id}/${i + 1}`,
      parentId,
      phase: r.number,
      module: m.id,
      phaseSlug: r.slug,
      label: `${kind.toLowerCase()}: ${truncate(text, SUMMARY_LABEL_MAX)}`,
      description: d.at.slice(0, 16).replace('T', ' '),
      tooltip: `**${kind}** reported by ${codeSpan(m.id)} at ${escapeMarkdown(d.at)}${open ? ' (click: DISCOVERIES.md)' : ''}\n\n${escapeMarkdown(text).replace(/\n/g, '  \n')}`,
      icon: DISCOVERY_ICON[d.kind],
      contextValue: TREE_ITEM_KIND.discovery,
      command: open,
      children: [],
    };
  });
}
