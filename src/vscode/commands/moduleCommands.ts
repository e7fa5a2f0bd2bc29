// Per-module commands from the tree: retry, stop, focus its terminal, open its worktree.
import * as vscode from 'vscode';
import { requireTrust } from '../trust';
import { asTarget, pickModule, type CommandContext } from './context';
import { conductPhase } from './conductPhase';

export async function retryModule(ctx: CommandContext, arg: unknown): Promise<void> {
  if (!(await requireTrust('Retry Module'))) return;
  const target = await pickModule(ctx, asTarget(arg), 'Retry which module?', (m) => ['failed', 'interrupted', 'blocked', 'complete-unverified'].includes(m.state));
  if (!target) return;
  const active = ctx.host.conductor(target.phase.slug);
  if (active) {
    await active.retryModule(target.module);
    return;
  }
  // The phase is not running: resume it, which tries its unfinished modules again.
  await conductPhase(ctx, { phase: target.phase.number }, { resume: true });
}

export async function stopAgent(ctx: CommandContext, arg: unknown): Promise<void> {
  const target = await pickModule(ctx, asTarget(arg), 'Stop which agent?', (m) => m.state === 'running' || m.state === 'needs-input');
  if (!target) return;
  const active = ctx.host.conductor(target.phase.slug);
  if (!active) {
    void vscode.window.showInformationMessage(`Spec Conductor: phase ${target.phase.number} is not running in this window.`);
    return;
  }
  await active.stopModule(target.module);
}

export async function focusTerminal(ctx: CommandContext, arg: unknown): Promise<void> {
  const target = await pickModule(ctx, asTarget(arg), 'Show which agent?', (m) => ctx.view.terminals.has(`${m.branch.split('/')[1]}/${m.id}`));
  if (!target) return;
  const terminal = ctx.host.terminals.terminalFor(`${target.phase.slug}/${target.module}`);
  if (terminal) terminal.show();
  else void vscode.window.showInformationMessage(`Spec Conductor: ${target.module} has no open terminal (its agent is not running in this window).`);
}

export async function openWorktree(ctx: CommandContext, arg: unknown): Promise<void> {
  const target = await pickModule(ctx, asTarget(arg), 'Open which worktree?');
  if (!target) return;
  const record = target.run.modules.find((m) => m.id === target.module);
  if (!record) return;
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(record.worktree), { forceNewWindow: true });
}
