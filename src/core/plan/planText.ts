// The plan as a readable tree for a terminal.
import type { Plan } from '../model';
import { moduleFacts } from './moduleFacts';
import { formatProblem } from './planJson';

export function planText(plan: Plan): string {
  const out: string[] = [];
  const moduleCount = plan.phases.reduce((n, p) => n + p.modules.length, 0);
  out.push(`${plan.spec || '(no plan)'} — ${plural(plan.phases.length, 'phase')}, ${plural(moduleCount, 'module')}, ${plural(plan.contracts.length, 'contract')}`);
  for (const phase of plan.phases) {
    const tags = [
      phase.gate === 'manual' ? 'gate: manual' : null,
      phase.dependsOn.length > 0 ? `after phase ${phase.dependsOn.join(', ')}` : null,
    ].filter(Boolean);
    out.push('');
    out.push(`Phase ${phase.number}: ${phase.name}${tags.length ? `  [${tags.join('; ')}]` : ''}  (${plan.spec}:${phase.line})`);
    for (const g of phase.goals) out.push(`  · ${g.value}`);
    phase.waves.forEach((wave, i) => {
      out.push(`  wave ${i + 1}`);
      for (const id of wave) {
        const m = phase.modules.find((x) => x.id === id)!;
        const contract = m.contract ? `${m.featureId ?? '?'} (${m.contract.file})` : 'no contract';
        const deps = m.dependsOn.length ? `  ← ${m.dependsOn.join(', ')}` : '';
        const facts = moduleFacts(m);
        out.push(`    ${m.id} — ${contract}${deps}${facts.length ? `  [${facts.join(' · ')}]` : ''}`);
      }
    });
    if (phase.expectedFiles.length) out.push(`  expected files: ${phase.expectedFiles.map((f) => f.value).join(', ')}`);
    // Each command runs on its own (one failing does not stop the next): listed with `;`, not `&&`.
    const commands = (label: string, xs: { value: string }[]): void => {
      if (xs.length) out.push(`  ${label}: ${xs.map((c) => c.value).join('; ')}`);
    };
    commands('check commands', phase.checkCommands);
    commands('lint commands', phase.lintCommands);
    commands('test commands', phase.testCommands);
  }
  const errors = plan.problems.filter((p) => p.severity === 'error').length;
  const warnings = plan.problems.length - errors;
  out.push('');
  out.push(plan.problems.length === 0 ? 'No problems.' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}:`);
  for (const p of plan.problems) out.push(`  ${formatProblem(p)}`);
  return out.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
