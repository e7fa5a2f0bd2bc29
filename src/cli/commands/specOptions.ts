// Options shared by the commands that read the plan.
import * as path from 'node:path';
import { DEFAULT_CONTRACT_GLOBS, loadWorkspace } from '../../core/loadPlan';
import type { Plan } from '../../core/model';
import { FsSpecSource } from '../../infra/fsSpecSource';
import type { CliIo } from '../io';

export const specOptions = {
  root: { type: 'string' },
  spec: { type: 'string' },
  contracts: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

export interface SpecFlags {
  root?: string;
  spec?: string;
  contracts?: string[];
  json?: boolean;
}

export async function readPlan(flags: SpecFlags, io: CliIo): Promise<{ plan: Plan; root: string }> {
  const root = path.resolve(io.cwd, flags.root ?? '.');
  const source = new FsSpecSource(root);
  const specFile = flags.spec ? path.relative(root, path.resolve(io.cwd, flags.spec)).split(path.sep).join('/') : undefined;
  const workspace = await loadWorkspace(source, {
    specFile,
    contractGlobs: flags.contracts && flags.contracts.length > 0 ? flags.contracts : DEFAULT_CONTRACT_GLOBS,
  });
  return { plan: workspace.plan(), root };
}
