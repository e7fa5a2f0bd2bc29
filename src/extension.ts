// Spec Conductor's table of contents: every piece is created here and handed its dependencies;
// every disposable goes to context.subscriptions where it is created.
import * as vscode from 'vscode';
import { COMMAND, DIAGNOSTIC_SOURCE } from './vscode/ids';
import { createLog } from './vscode/log';
import { onSettingsChanged } from './vscode/settings';
import { SpecDiagnostics } from './vscode/specDiagnostics';

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  context.subscriptions.push(log);

  const diagnostics = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  context.subscriptions.push(diagnostics);

  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => new SpecDiagnostics(folder, diagnostics, log));
  context.subscriptions.push(...folders);
  // Parsing starts after activate() returns, so activation itself stays cheap.
  setTimeout(() => folders.forEach((f) => void f.reload()), 0);

  context.subscriptions.push(
    onSettingsChanged(() => folders.forEach((f) => f.reconfigure())),
    vscode.commands.registerCommand(COMMAND.validateSpecs, async () => {
      const plans = await Promise.all(folders.map((f) => f.reload()));
      const problems = plans.reduce((n, p) => n + (p?.problems.length ?? 0), 0);
      log.info(`Validated specs: ${problems} problem(s).`);
      if (problems > 0) await vscode.commands.executeCommand('workbench.actions.view.problems');
      else void vscode.window.showInformationMessage('Spec Conductor: no problems in READY.md and the contracts.');
    }),
    vscode.commands.registerCommand(COMMAND.showLogs, () => log.show()),
  );
  log.info('Spec Conductor activated.');
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
