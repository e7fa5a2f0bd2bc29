// Names the agent to send back: a finding about a file belongs to the module whose branch last
// changed that file in the merged result.
import { isRepoRelative, type Finding } from './findings';

/** Fills `module` of findings about files a module changed (keeps a module already set). */
export function attributeFindings(findings: readonly Finding[], lastTouchedBy: ReadonlyMap<string, string>): Finding[] {
  return findings.map((f) => {
    if (f.module !== null || !isRepoRelative(f.file)) return f;
    const module = lastTouchedBy.get(f.file);
    return module === undefined ? f : { ...f, module };
  });
}

/** Findings grouped by module; those nobody can be blamed for are under null. */
export function findingsByModule(findings: readonly Finding[]): Map<string | null, Finding[]> {
  const out = new Map<string | null, Finding[]>();
  for (const f of findings) {
    const list = out.get(f.module);
    if (list) list.push(f);
    else out.set(f.module, [f]);
  }
  return out;
}
