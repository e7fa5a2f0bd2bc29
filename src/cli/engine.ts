// The CLI's composition root: the shared engine adapters, with child processes as agents.
import * as path from 'node:path';
import { installHook as install, NotARepositoryError, openRepository as open, type Engine } from '../infra/engine';
import { UsageError } from './io';

export { conductPorts, preflightConduct, type Engine } from '../infra/engine';

export async function openRepository(root: string): Promise<Engine> {
  try {
    return await open(root);
  } catch (e) {
    if (e instanceof NotARepositoryError) throw new UsageError(e.message);
    throw e;
  }
}

/** dist/cli.js runs dist/hook.js next to it. */
export function installHook(engine: Engine): Promise<string> {
  return install(engine, path.join(__dirname, 'hook.js'));
}
