// Reads the plan and the contracts through the SpecSource port into a SpecWorkspace (CLI, tests).
import type { SpecSource } from './ports';
import { DEFAULT_CONTRACT_GLOBS, loadSpecFiles, type LoadOptions } from './spec/loadSpecFiles';
import { SpecWorkspace } from './specWorkspace';

export { DEFAULT_CONTRACT_GLOBS, type LoadOptions };

export function loadWorkspace(source: SpecSource, options: LoadOptions = {}, into = new SpecWorkspace()): Promise<SpecWorkspace> {
  return loadSpecFiles(source, options, into);
}
