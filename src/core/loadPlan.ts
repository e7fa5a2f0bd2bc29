// Reads the plan and the contracts through the SpecSource port into a SpecWorkspace.
import type { SpecSource } from './ports';
import { locateSpec } from './spec/locateSpec';
import { SpecWorkspace } from './specWorkspace';

export const DEFAULT_CONTRACT_GLOBS: readonly string[] = ['contracts/*.md', '**/contract.md'];

export interface LoadOptions {
  /** Plan file relative to the root; empty/undefined: READY.md, .prelude/READY.md, tasks.csv. */
  specFile?: string;
  contractGlobs?: readonly string[];
}

export async function loadWorkspace(source: SpecSource, options: LoadOptions = {}, into = new SpecWorkspace()): Promise<SpecWorkspace> {
  const specPath = await locateSpec(source, options.specFile);
  const specText = specPath ? await source.readText(specPath) : null;
  if (specPath && specText !== null) into.setSpec(specPath, specText);
  else into.clearSpec(specPath);

  const paths = (await source.findFiles(options.contractGlobs ?? DEFAULT_CONTRACT_GLOBS)).filter((p) => p !== specPath);
  const texts = await Promise.all(paths.map((p) => source.readText(p)));
  const present: string[] = [];
  paths.forEach((p, i) => {
    const text = texts[i];
    if (text === null) return;
    into.setContract(p, text);
    present.push(p);
  });
  into.retainContracts(present);
  return into;
}
