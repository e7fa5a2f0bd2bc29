// Reads the plan and the contracts through the SpecSource port into a SpecModel. Imports no parser,
// so the extension's main thread can load the files and leave the parsing to a worker.
import type { SpecSource } from '../ports';
import type { SpecModel } from '../specModel';
import { readSpec } from './locateSpec';

export const DEFAULT_CONTRACT_GLOBS: readonly string[] = ['contracts/*.md', '**/contract.md'];

export interface LoadOptions {
  /** Plan file relative to the root; empty/undefined: READY.md, .prelude/READY.md, tasks.csv. */
  specFile?: string;
  contractGlobs?: readonly string[];
}

/**
 * Reads the plan file, then finds and reads the contracts. `afterSpec` is called in between: finding
 * contracts means searching the workspace, which can take a while, and the plan file alone is
 * enough to show phases and modules.
 */
export async function loadSpecFiles<T extends SpecModel>(source: SpecSource, options: LoadOptions, into: T, afterSpec?: () => void): Promise<T> {
  const { path: specPath, text: specText } = await readSpec(source, options.specFile);
  if (specPath && specText !== null) into.setSpec(specPath, specText);
  else into.clearSpec(specPath);
  afterSpec?.();

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
