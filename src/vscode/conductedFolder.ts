// Which workspace folder the tree, the status bar and the commands conduct: in a multi-root
// workspace, the first folder that has a plan file (every folder still gets live validation).
// Checked with a few stat calls, so activation stays quick and starts nothing.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { SPEC_CANDIDATES } from '../core/spec/locateSpec';

type Folder = Pick<vscode.WorkspaceFolder, 'uri' | 'name' | 'index'>;

/** The first folder with a plan file (the configured one, or a conventional name), else the first folder. */
export function conductedFolder<F extends Folder>(folders: readonly F[], specFileOf: (folder: F) => string, exists: (file: string) => boolean = existsSync): F | undefined {
  const hasPlan = (folder: F): boolean => {
    if (folder.uri.scheme !== 'file') return false;
    const configured = specFileOf(folder);
    return (configured ? [configured] : SPEC_CANDIDATES).some((rel) => exists(path.join(folder.uri.fsPath, rel)));
  };
  return folders.find(hasPlan) ?? folders[0];
}
