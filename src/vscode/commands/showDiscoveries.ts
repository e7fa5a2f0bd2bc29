// Conductor: Show Discoveries — opens DISCOVERIES.md, which the engine keeps beside the plan's
// READY.md with what the agents learned and where they found the spec wrong. Reads one file, so it
// works in a restricted workspace too; before any agent reported something there is no file yet.
import * as vscode from 'vscode';
import { discoveriesFileFor } from '../../core/discoveries/discovery';
import { plural } from '../../core/view/format';
import { showError } from '../log';
import { resolvePath } from '../viewItems';
import type { CommandContext } from './context';

export async function showDiscoveries(ctx: CommandContext): Promise<void> {
  const plan = ctx.view.plan;
  const spec = plan && plan.kind !== 'none' ? plan.spec : 'READY.md';
  const relative = discoveriesFileFor(spec);
  const uri = resolvePath(ctx.host.folder, relative);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch (e) {
    if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) {
      await showError(ctx.log, `Could not open ${relative}: ${(e as Error).message}`, e);
      return;
    }
    const recorded = ctx.view.discoveries.length;
    void vscode.window.showInformationMessage(
      recorded > 0
        ? `Spec Conductor: ${plural(recorded, 'discovery', 'discoveries')} recorded, but ${relative} has not been written yet; it is written when an agent reports the next one (they are in the Phases view under their modules).`
        : `Spec Conductor: no discoveries yet. When an agent reports one (or a spec correction), it goes into ${relative}, beside ${spec}, and under its module in the Phases view.`,
    );
    return;
  }
  // Beside READY.md when that is what the user is reading.
  const active = vscode.window.activeTextEditor;
  const beside = active?.document.uri.toString() === resolvePath(ctx.host.folder, spec).toString();
  await vscode.window.showTextDocument(uri, { preview: false, viewColumn: beside ? vscode.ViewColumn.Beside : undefined });
}
