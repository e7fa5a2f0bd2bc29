// Conductor: Show Phase Report — writes the report and opens its markdown preview.
import * as vscode from 'vscode';
import { showError } from '../log';
import { requireTrust } from '../trust';
import { asTarget, pickConductedPhase, type CommandContext } from './context';

export async function showReport(ctx: CommandContext, arg: unknown): Promise<void> {
  const conducted = await pickConductedPhase(ctx, asTarget(arg), 'Report of which phase?');
  if (!conducted) return;
  const { phase, run } = conducted;
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
