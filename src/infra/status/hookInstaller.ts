// Writes the `conductor-hook` launcher that agents run. It is a tiny POSIX sh script so that any
// agent (whatever language or shell it uses) can exec it; it hands its arguments, untouched, to the
// bundled hook script under the node binary the engine itself runs on.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export const HOOK_LAUNCHER_NAME = 'conductor-hook';

export interface HookLauncherOptions {
  /** Folder to write the launcher into (the engine uses `.conductor/bin/`); created if needed. */
  dir: string;
  /** Absolute path of the node binary, e.g. process.execPath. */
  nodePath: string;
  /** Absolute path of the hook script (dist/hook.js). */
  hookScript: string;
  /** The binary is Electron (VS Code's process.execPath) and must be told to behave as plain node. */
  electron: boolean;
}

/** Single-quotes a string for sh: nothing inside single quotes is special except the quote itself. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function launcherScript(options: Omit<HookLauncherOptions, 'dir'>): string {
  const lines = ['#!/bin/sh', '# Written by Spec Conductor: reports this agent\'s progress to the conductor.'];
  if (options.electron) lines.push('ELECTRON_RUN_AS_NODE=1', 'export ELECTRON_RUN_AS_NODE');
  lines.push(`exec ${shellQuote(options.nodePath)} ${shellQuote(options.hookScript)} "$@"`);
  return `${lines.join('\n')}\n`;
}

/** Writes (or replaces) the launcher and returns its path. */
export async function installHookLauncher(options: HookLauncherOptions): Promise<string> {
  for (const [name, value] of [['nodePath', options.nodePath], ['hookScript', options.hookScript]] as const) {
    if (!path.isAbsolute(value)) throw new Error(`installHookLauncher: ${name} must be an absolute path, got ${JSON.stringify(value)}`);
    if (value.includes('\0')) throw new Error(`installHookLauncher: ${name} contains a NUL character`);
  }
  await fs.mkdir(options.dir, { recursive: true });
  const launcher = path.join(options.dir, HOOK_LAUNCHER_NAME);
  // Write aside and rename: an agent running the hook right now sees the old or the new script, never half of one.
  const temp = `${launcher}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(temp, launcherScript(options), { mode: 0o755 });
    await fs.chmod(temp, 0o755); // writeFile's mode is filtered by the umask
    await fs.rename(temp, launcher);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  return launcher;
}
