// SpecSource over VS Code's file system API: works in restricted workspaces and remote ones, and
// starts no process.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { SpecSource } from '../core/ports';

const EXCLUDE = '**/{node_modules,.git,.conductor,dist,out}/**';

export class WorkspaceSpecSource implements SpecSource {
  constructor(private readonly folder: vscode.WorkspaceFolder) {}

  async readText(relativePath: string): Promise<string | null> {
    const uri = vscode.Uri.joinPath(this.folder.uri, relativePath);
    // A local folder is read directly: the editor's file service answers later while the window starts.
    if (uri.scheme === 'file') return readFile(uri.fsPath, 'utf8').catch(nullIfMissing);
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      return new TextDecoder('utf-8').decode(bytes);
    } catch (e) {
      if (e instanceof vscode.FileSystemError && (e.code === 'FileNotFound' || e.code === 'FileIsADirectory')) return null;
      throw e;
    }
  }

  async findFiles(globs: readonly string[]): Promise<string[]> {
    if (globs.length === 0) return [];
    const pattern = new vscode.RelativePattern(this.folder, globs.length === 1 ? globs[0] : `{${globs.join(',')}}`);
    const uris = await vscode.workspace.findFiles(pattern, EXCLUDE);
    return uris.map((u) => this.relative(u)).filter((p): p is string => p !== null).sort();
  }

  relative(uri: vscode.Uri): string | null {
    const base = this.folder.uri.path.replace(/\/$/, '');
    if (uri.scheme !== this.folder.uri.scheme || !uri.path.startsWith(`${base}/`)) return null;
    return uri.path.slice(base.length + 1);
  }
}

function nullIfMissing(e: NodeJS.ErrnoException): null {
  if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'ENOTDIR') return null;
  throw e;
}
