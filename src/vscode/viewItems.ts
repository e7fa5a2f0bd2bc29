// Translations shared by the views: view-model icons and commands into vscode objects.
import * as vscode from 'vscode';
import type { ViewIcon } from '../core/view/looks';
import type { ViewCommand } from '../core/view/phaseTree';
import { VIEW_COMMAND, type OpenAtLine } from '../core/view/viewIds';

export function toThemeIcon(icon: ViewIcon): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}

/** `vscode.open` models carry a path (relative to the folder, or absolute): it becomes a Uri here. */
export function toVscodeCommand(c: ViewCommand, folder: vscode.WorkspaceFolder): vscode.Command {
  if (c.command === VIEW_COMMAND.open && typeof c.args[0] === 'string') {
    const at = c.args[1] as OpenAtLine | undefined;
    // vscode.open's options select a range: the line, at its start.
    const options = typeof at?.line === 'number' ? [{ selection: new vscode.Range(at.line - 1, 0, at.line - 1, 0) }] : c.args.slice(1);
    return { command: c.command, title: c.title, arguments: [resolvePath(folder, c.args[0]), ...options] };
  }
  return { command: c.command, title: c.title, arguments: c.args };
}

export function resolvePath(folder: vscode.WorkspaceFolder, p: string): vscode.Uri {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) ? vscode.Uri.file(p) : vscode.Uri.joinPath(folder.uri, ...p.split('/'));
}
