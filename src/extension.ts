// Spec Conductor's table of contents: every piece is created here and handed its dependencies;
// every disposable goes to context.subscriptions where it is created. activate() reads no file and
// starts no process: parsing begins right after it returns, the engine only on a command.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { OneAtATime } from './core/merge/oneAtATime';
import { asTarget, type CommandContext } from './vscode/commands/context';
import { conductPhase } from './vscode/commands/conductPhase';
import { conductPlan } from './vscode/commands/conductPlan';
import { mergePhaseCommand, predictConflictsCommand } from './vscode/commands/mergePhase';
import { abortResolvedMerge, commitResolvedMerge, resolveInMergeEditor } from './vscode/commands/resolveConflict';
import { focusTerminal, openWorktree, retryModule, stopAgent } from './vscode/commands/moduleCommands';
import { reviewModuleChanges, reviewPhaseChanges, registerGitContent } from './vscode/commands/reviewChanges';
import { rollbackPhase } from './vscode/commands/rollbackPhase';
import { sendToAgent } from './vscode/commands/sendToAgent';
import { showDiscoveries } from './vscode/commands/showDiscoveries';
import { showReport } from './vscode/commands/showReport';
import { cleanWorktrees, createReadyMd, selectAgent } from './vscode/commands/simpleCommands';
import { conductedFolder } from './vscode/conductedFolder';
import { ConductorState } from './vscode/conductorState';
import { runE2eSuiteIfAsked } from './vscode/e2eHook';
import { createE2eApi } from './vscode/e2eState';
import { EngineHost } from './vscode/engineHost';
import { COMMAND, DIAGNOSTIC_SOURCE, type CommandId } from './vscode/ids';
import { createLog } from './vscode/log';
import { MergeDiagnostics } from './vscode/mergeDiagnostics';
import { MergeEditorSessions } from './vscode/mergeEditor';
import { PlanCodeLenses } from './vscode/codeLens';
import { PhasesTree } from './vscode/phasesTree';
import { registerQuickFixes } from './vscode/quickFixes';
import { ConductorStatusBar } from './vscode/statusBar';
import { onSettingsChanged, readSettings } from './vscode/settings';
import { SpecDiagnostics } from './vscode/specDiagnostics';
import { TimelinePanel } from './vscode/timelinePanel';

const PREDICT_EVERY_MS = 15_000;

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const log = createLog();
  context.subscriptions.push(log);

  const folders = vscode.workspace.workspaceFolders ?? [];
  const specProblems = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  context.subscriptions.push(specProblems);
  const distDir = vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath;
  const specs = folders.map((folder) => new SpecDiagnostics(folder, specProblems, log, distDir));
  context.subscriptions.push(...specs);

  const primary = conductedFolder(folders, (folder) => readSettings(folder.uri).specFile);
  if (!primary) {
    context.subscriptions.push(
      ...Object.values(COMMAND).map((id) => vscode.commands.registerCommand(id, () => vscode.window.showInformationMessage('Spec Conductor: open a folder with a READY.md first.'))),
    );
    return;
  }

  // One folder is conducted (the first with a plan); every folder gets live validation.
  if (folders.length > 1) log.info(`Conducting ${primary.name}; the other folders are validated only.`);
  const view = new ConductorState(primary, log);
  context.subscriptions.push(view);
  context.subscriptions.push(specs[folders.indexOf(primary)].onDidPlan((plan) => view.setPlan(plan)));
  const host = new EngineHost(primary, view, log, context.extensionPath);
  context.subscriptions.push(host);
  const merges = new MergeDiagnostics();
  context.subscriptions.push(merges);
  context.subscriptions.push(registerQuickFixes(merges));
  context.subscriptions.push(host.onDidMerge(({ repoRoot, result }) => merges.showMerge(vscode.Uri.file(repoRoot), result)));
  context.subscriptions.push(registerGitContent(host));
  const resolutions = new MergeEditorSessions(host, merges, log);
  context.subscriptions.push(resolutions);

  const tree = new PhasesTree(view, primary);
  context.subscriptions.push(tree);
  const statusBar = new ConductorStatusBar(view, primary);
  context.subscriptions.push(statusBar);
  context.subscriptions.push(new PlanCodeLenses(view, primary));

  const timeline = new TimelinePanel(view, log);
  context.subscriptions.push(timeline);

  const ctx: CommandContext = { host, view, log, merges, resolutions };
  const commands: Record<CommandId, (arg?: unknown) => unknown> = {
    [COMMAND.conductPhase]: (arg) => conductPhase(ctx, arg),
    [COMMAND.conductPlan]: (arg) => conductPlan(ctx, arg),
    [COMMAND.resumePhase]: (arg) => conductPhase(ctx, arg, { resume: true }),
    [COMMAND.approveGate]: (arg) => conductPhase(ctx, arg, { approve: true }),
    [COMMAND.mergePhase]: (arg) => mergePhaseCommand(ctx, arg),
    [COMMAND.predictConflicts]: (arg) => predictConflictsCommand(ctx, arg),
    [COMMAND.showReport]: (arg) => showReport(ctx, arg),
    [COMMAND.showTimeline]: () => timeline.show(),
    [COMMAND.retryModule]: (arg) => retryModule(ctx, arg),
    [COMMAND.stopAgent]: (arg) => stopAgent(ctx, arg),
    [COMMAND.focusTerminal]: (arg) => focusTerminal(ctx, arg),
    [COMMAND.openWorktree]: (arg) => openWorktree(ctx, arg),
    [COMMAND.reviewChanges]: (arg) => reviewModuleChanges(ctx, arg),
    [COMMAND.reviewPhaseChanges]: (arg) => reviewPhaseChanges(ctx, arg),
    [COMMAND.sendToAgent]: (arg) => sendToAgent(ctx, arg),
    [COMMAND.rollbackPhase]: (arg) => rollbackPhase(ctx, arg),
    [COMMAND.showDiscoveries]: () => showDiscoveries(ctx),
    [COMMAND.resolveInMergeEditor]: (arg) => resolveInMergeEditor(ctx, arg),
    [COMMAND.commitResolvedMerge]: (arg) => commitResolvedMerge(ctx, arg),
    [COMMAND.abortResolvedMerge]: (arg) => abortResolvedMerge(ctx, arg),
    [COMMAND.cleanWorktrees]: () => cleanWorktrees(ctx),
    [COMMAND.selectAgent]: () => selectAgent(ctx),
    [COMMAND.createReadyMd]: () => createReadyMd(ctx, context.extensionUri),
    [COMMAND.refresh]: () => Promise.all([...specs.map((s) => s.reload()), view.reload()]),
    [COMMAND.validateSpecs]: async () => {
      const plans = await Promise.all(specs.map((s) => s.reload()));
      const problems = plans.reduce((n, p) => n + (p?.problems.length ?? 0), 0);
      if (problems > 0) await vscode.commands.executeCommand('workbench.actions.view.problems');
      else void vscode.window.showInformationMessage('Spec Conductor: no problems in READY.md and the contracts.');
    },
    [COMMAND.showLogs]: () => log.show(),
  };
  for (const [id, run] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run));

  context.subscriptions.push(onSettingsChanged(() => specs.forEach((s) => s.reconfigure())));

  // While agents run, predict conflicts between them now and then (setting specConductor.predictConflicts),
  // one prediction per phase at a time: with hundreds of modules one outlasts the interval.
  const predicting = new OneAtATime();
  const predictTimer = setInterval(() => {
    if (view.active.size === 0 || !host.settings().predictConflicts) return;
    for (const slug of view.active) {
      const phase = view.plan?.phases.find((p) => p.slug === slug);
      if (phase) predicting.run(slug, () => predictConflictsCommand(ctx, asTarget({ phase: phase.number }), true));
    }
  }, PREDICT_EVERY_MS);
  context.subscriptions.push({ dispose: () => clearInterval(predictTimer) });

  setTimeout(() => {
    specs.forEach((s) => void s.reload());
    // A conflict being resolved before a reload is still in its integration worktree.
    void view
      .reload()
      .then(() => resolutions.restore(Object.values(view.state.phases)))
      .catch((e: unknown) => log.warn(`Could not look for merge conflicts being resolved: ${(e as Error).message}`));
  }, 0);
  log.info('Spec Conductor activated.');
  // Last: the end of activation is measured when the test API is created.
  runE2eSuiteIfAsked(() => createE2eApi({ specProblems, view, tree, statusBar, activateStart, subscriptions: context.subscriptions }));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
