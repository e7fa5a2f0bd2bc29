// CodeLenses on the plan file (READY.md): translates src/core/view/codeLens.ts's models. Only the
// workspace's plan file gets lenses; they follow ConductorView (plan edits, run progress, merges).
import * as vscode from 'vscode';
import { codeLensModels } from '../core/view/codeLens';
import type { ConductorView } from './conductorState';
import { RefreshThrottle } from './viewRefresh';
import { resolvePath } from './viewItems';

export class PlanCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly throttle = new RefreshThrottle(() => this.changed.fire());
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly view: ConductorView,
    private readonly folder: vscode.WorkspaceFolder,
  ) {
    this.disposables = [
      this.changed,
      this.throttle,
      view.onDidChange(() => this.throttle.schedule()),
      vscode.languages.registerCodeLensProvider({ language: 'markdown', scheme: 'file' }, this),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const plan = this.view.plan;
    if (!plan || plan.kind !== 'ready' || !plan.spec) return [];
    if (document.uri.toString() !== resolvePath(this.folder, plan.spec).toString()) return [];
    return codeLensModels(plan, this.view.state, this.view.active, this.view.merges).map((m) => {
      // The plan may lag the text by a debounce: keep the line inside the document.
      const line = Math.min(Math.max(0, m.line - 1), document.lineCount - 1);
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: m.title, command: m.command, arguments: m.args });
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
