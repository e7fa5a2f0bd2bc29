// In a restricted workspace Spec Conductor reads and shows, but starts no process at all — not even
// git, whose `worktree add` runs the repository's own hooks.
import * as vscode from 'vscode';

export async function requireTrust(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    `Spec Conductor: "${what}" runs git and agent processes, so it needs a trusted workspace. In restricted mode it only reads and validates the specs.`,
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
