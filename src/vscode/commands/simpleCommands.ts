// Small commands: choose the agent, create READY.md from the template, clean up worktrees.
import * as vscode from 'vscode';
import { AGENT_PRESETS } from '../../core/agents/presets';
import { SETTING, SETTINGS_SECTION } from '../ids';
import { showError } from '../log';
import { requireTrust } from '../trust';
import type { CommandContext } from './context';

export async function selectAgent(ctx: CommandContext): Promise<void> {
  const current = ctx.host.settings().agent;
  const items = AGENT_PRESETS.map((p) => ({ label: p.label, description: p.id === current ? `${p.id} · current` : p.id, detail: p.description, id: p.id }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Which agent should work in each module’s worktree?' });
  if (!picked) return;
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, ctx.host.folder.uri);
  if (picked.id === 'custom') {
    const command = await vscode.window.showInputBox({
      prompt: 'Command line, run by /bin/sh -c in each worktree. It gets $CONDUCTOR_PROMPT_FILE, $CONDUCTOR_HOOK, $CONDUCTOR_MODULE …',
      value: ctx.host.settings().customCommand,
      placeHolder: 'my-agent --prompt-file "$CONDUCTOR_PROMPT_FILE"',
    });
    if (command === undefined) return;
    await config.update(SETTING.customCommand, command, vscode.ConfigurationTarget.Workspace);
  }
  await config.update(SETTING.agent, picked.id, vscode.ConfigurationTarget.Workspace);
  ctx.log.info(`Agent set to ${picked.id}.`);
}

export async function createReadyMd(ctx: CommandContext, extensionUri: vscode.Uri): Promise<void> {
  const target = vscode.Uri.joinPath(ctx.host.folder.uri, 'READY.md');
  try {
    await vscode.workspace.fs.stat(target);
    await vscode.window.showTextDocument(target);
    return;
  } catch {
    // not there yet: create it
  }
  const template = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'media', 'templates', 'READY.md'));
  await vscode.workspace.fs.writeFile(target, template);
  const contract = vscode.Uri.joinPath(ctx.host.folder.uri, 'contracts', 'example.md');
  try {
    await vscode.workspace.fs.stat(contract);
  } catch {
    await vscode.workspace.fs.writeFile(contract, await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'media', 'templates', 'contract.md')));
  }
  await vscode.window.showTextDocument(target);
}

export async function cleanWorktrees(ctx: CommandContext): Promise<void> {
  if (!(await requireTrust('Clean Up Worktrees'))) return;
  try {
    const { cleanOrphans } = await import('../../infra/cleanOrphans');
    const engine = await ctx.host.repository();
    const preview = await cleanOrphans(engine, new Set(), true);
    const removable = preview.filter((r) => r.action === 'remove');
    const kept = preview.filter((r) => r.action === 'keep');
    for (const k of kept) if (k.action === 'keep') ctx.log.info(`Keeping ${k.branch}: ${k.reason}`);
    if (removable.length === 0) {
      void vscode.window.showInformationMessage(`Spec Conductor: nothing to clean up${kept.length ? ` (${kept.length} orphan(s) kept because they hold unmerged or uncommitted work — see the log)` : ''}.`);
      return;
    }
    const choice = await vscode.window.showWarningMessage(
      `Remove ${removable.length} orphaned conductor worktree(s)/branch(es) whose work is merged or empty?`,
      { modal: true, detail: removable.map((r) => r.branch).join('\n') },
      'Remove',
    );
    if (!choice) return;
    const done = await cleanOrphans(engine, new Set(), false);
    const failed = done.filter((r) => r.error);
    for (const f of failed) ctx.log.error(`Could not remove ${f.branch}: ${f.error}`);
    void vscode.window.showInformationMessage(`Spec Conductor: removed ${done.filter((r) => r.action === 'remove' && !r.error).length} orphan(s)${failed.length ? `, ${failed.length} failed (see the log)` : ''}.`);
  } catch (e) {
    await showError(ctx.log, `Cleaning up worktrees failed: ${(e as Error).message}`, e);
  }
}
