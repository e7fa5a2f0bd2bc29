// Generated specs for benchmarks: READY.md with many list-heavy phases, contracts in both forms,
// and a tasks.csv.

export interface GeneratedSpec {
  ready: string;
  contracts: Map<string, string>;
}

function phaseText(n: number, modulesPerPhase: number, goalsPerModule: number): string {
  const mods = Array.from({ length: modulesPerPhase }, (_, i) => `p${n}-mod${i + 1}`);
  const lines = [
    `### Phase ${n}: Feature group ${n}`,
    ...Array.from({ length: 6 }, (_, i) => `- Goal ${i + 1} of phase ${n}: implement the \`group${n}\` endpoints and keep p95 < ${100 + i} ms`),
    '',
    `**Modules:** ${mods.join(', ')}`,
    `**Depends on:** Phase ${Math.max(1, n - 1)}`,
    '',
    '#### Success Criteria',
    ...Array.from({ length: 5 }, (_, i) => `- \`npm test -- group${n}\` passes case ${i + 1} with 0 failures`),
    '',
    '#### Known Gotchas',
    ...Array.from({ length: 4 }, (_, i) => `- Gotcha ${i + 1}: watch out for *edge case* ${i} in **group ${n}** (see [docs](https://example.invalid/${n}/${i}))`),
    '',
    '#### Expected Files',
    ...mods.map((m) => `- \`src/${m}/index.ts\` — entry point of ${m}`),
    '',
    '#### Test Commands',
    '```bash',
    `npm test -- group${n}`,
    `npx tsc --noEmit -p packages/group${n}`,
    '```',
    '',
  ];
  for (const m of mods) {
    lines.push(`#### Module: ${m}`);
    for (let g = 0; g < goalsPerModule; g++) {
      lines.push(`- ${m} goal ${g + 1}: handle \`${m}.op${g}()\` with inputs up to ${g * 10} items and return 200`);
      lines.push(`  - detail: validate input ${g} and log with the shared logger`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function readyMd(phases: number, modulesPerPhase: number, goalsPerModule: number): string {
  const parts = ['# Generated project', '', 'An introduction that is not part of the plan.', '', '## Implementation Phases', ''];
  for (let n = 1; n <= phases; n++) parts.push(phaseText(n, modulesPerPhase, goalsPerModule));
  parts.push('## Appendix', '', 'Not part of the plan.', '');
  return parts.join('\n');
}

/** A contract of about `lines` lines; even-numbered modules use frontmatter, odd ones the markdown form. */
export function contractText(phase: number, index: number, modulesPerPhase: number, lines = 40): string {
  const id = `p${phase}-mod${index}`;
  const deps = index > 1 ? [`feature-p${phase}-mod${index - 1}`] : phase > 1 ? [`p${phase - 1}-mod1`] : [];
  const criteria = Array.from({ length: Math.max(2, lines - 14) }, (_, i) => `\`${id}.op${i}()\` returns 200 within ${i + 5} ms`);
  void modulesPerPhase;
  if (index % 2 === 0) {
    return [
      '---',
      `feature_id: feature-${id}`,
      `phase: ${phase}`,
      'provides:',
      '  api:',
      `    - GET /${id}`,
      `    - POST /${id}`,
      '  files:',
      `    - src/${id}/**`,
      `depends_on: [${deps.join(', ')}]`,
      'acceptance_criteria:',
      ...criteria.map((c) => `  - "${c}"`),
      '---',
      '',
      `# ${id}`,
    ].join('\n');
  }
  return [
    `# Contract: ${id}`,
    '',
    '1. `feature_id`',
    '',
    `\`feature-${id}\``,
    '',
    '2. `provides`',
    '',
    `API: \`GET /${id}\`, \`POST /${id}\``,
    `Files: \`src/${id}/**\``,
    '',
    '3. `depends_on`',
    '',
    ...(deps.length ? deps.map((d) => `Feature: \`${d}\` (for data)`) : ['None']),
    '',
    '4. `acceptance_criteria`',
    '',
    ...criteria.map((c) => `- ${c}`),
  ].join('\n');
}

export function generateSpec(phases: number, modulesPerPhase: number, goalsPerModule: number, contractLines = 40): GeneratedSpec {
  const contracts = new Map<string, string>();
  for (let p = 1; p <= phases; p++) {
    for (let i = 1; i <= modulesPerPhase; i++) contracts.set(`contracts/p${p}-mod${i}.md`, contractText(p, i, modulesPerPhase, contractLines));
  }
  return { ready: readyMd(phases, modulesPerPhase, goalsPerModule), contracts };
}

export function tasksCsv(rows: number): string {
  const out = ['id,agent,task,max_turns,context_path,output_file,tags'];
  for (let i = 1; i <= rows; i++) {
    out.push(`task-${i},claude,"Write post ${i}: ""Why, and how"" —\nwith a second line",20,ctx/${i}.md,out/${i}.md,"blog,batch"`);
  }
  return out.join('\n');
}
