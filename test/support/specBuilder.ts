// Typed builders for specs in tests: READY.md text and contracts in either form.
import { SpecWorkspace } from '../../src/core/specWorkspace';
import type { Plan, Problem } from '../../src/core/model';

export interface PhaseDraft {
  number: number;
  name: string;
  modules?: string[];
  extra?: string[];
}

export function readyMd(phases: PhaseDraft[]): string {
  const lines = ['# Project', '', '## Implementation Phases', ''];
  for (const p of phases) {
    lines.push(`### Phase ${p.number}: ${p.name}`, `- Build ${p.name}`);
    if (p.modules) lines.push(`**Modules:** ${p.modules.join(', ')}`);
    lines.push(...(p.extra ?? []), '');
  }
  return lines.join('\n');
}

export interface ContractDraft {
  featureId?: string;
  module?: string;
  phase?: number;
  provides?: string[];
  dependsOn?: string[];
  criteria?: string[];
  owns?: string[];
}

/** A YAML-frontmatter contract; omitted keys are left out entirely. */
export function yamlContract(c: ContractDraft): string {
  const lines = ['---'];
  if (c.featureId !== undefined) lines.push(`feature_id: ${c.featureId}`);
  if (c.module !== undefined) lines.push(`module: ${c.module}`);
  if (c.phase !== undefined) lines.push(`phase: ${c.phase}`);
  const list = (key: string, xs: string[] | undefined): void => {
    if (xs === undefined) return;
    if (xs.length === 0) lines.push(`${key}: []`);
    else lines.push(`${key}:`, ...xs.map((x) => `  - ${JSON.stringify(x)}`));
  };
  list('provides', c.provides);
  list('depends_on', c.dependsOn);
  list('acceptance_criteria', c.criteria);
  list('owns', c.owns);
  lines.push('---', '', '# Notes');
  return lines.join('\n');
}

/** A complete, valid contract for `id` depending on `deps`. */
export function contractFor(id: string, deps: string[] = [], extra: ContractDraft = {}): string {
  return yamlContract({
    featureId: `feature-${id}`,
    provides: [`GET /${id}`],
    dependsOn: deps,
    criteria: [`\`GET /${id}\` returns 200`],
    ...extra,
  });
}

export function planOf(ready: string, contracts: Record<string, string>): Plan {
  const ws = new SpecWorkspace();
  ws.setSpec('READY.md', ready);
  for (const [file, text] of Object.entries(contracts)) ws.setContract(file, text);
  return ws.plan();
}

export function problemsOf(plan: Plan, code?: Problem['code']): [string, number, number, string][] {
  return plan.problems.filter((p) => !code || p.code === code).map((p) => [p.file, p.line, p.column, p.code]);
}
