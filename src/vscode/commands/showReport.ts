// Conductor: Show Phase Report — writes the report and opens its markdown preview.
import * as vscode from 'vscode';
import { showError } from '../log';
import { requireTrust } from '../trust';
import { asTarget, phaseState, pickPhase, type CommandContext } from './context';

export async function showReport(ctx: CommandContext, arg: unknown): Promise<void> {
  const phase = await pickPhase(ctx, asTarget(arg), 'Report of which phase?');
  if (!phase) return;
  const run = phaseState(ctx, phase);
  if (!run) {
    void vscode.window.showInformationMessage(`Spec Conductor: phase ${phase.number} has not been conducted yet.`);
    return;
  }
  // The report counts changed files with git.
  if (!(await requireTrust('Show Phase Report'))) return;
  try {
    const { writePhaseReport } = await import('../../infra/report/writeReport');
    const written = await writePhaseReport(await ctx.host.repository(), phase, run);
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(written.markdownPath));
  } catch (e) {
    await showError(ctx.log, `Could not write the report of phase ${phase.number}: ${(e as Error).message}`, e);
  }
}
