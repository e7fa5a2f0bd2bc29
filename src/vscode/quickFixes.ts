// Quick fixes for spec problems whose message names the likely intended value: an unknown
// dependency ("Did you mean …?") and an unusable module name ("Try …"); Resolve in Merge Editor on a
// merge conflict; and Send to Agent on merge and validation problems that name a module.
import * as vscode from 'vscode';
import { groupByModule, type SendableFinding } from '../core/planRun/sendToAgent';
import type { SendRequest } from './commands/sendToAgent';
import { COMMAND, DIAGNOSTIC_SOURCE } from './ids';
import type { MergeDiagnostics } from './mergeDiagnostics';

/** For each code: the value as written, and the suggested one. */
const PATTERNS: Record<string, { value: RegExp; suggestion: RegExp }> = {
  'unknown-dependency': { value: /^"([^"]+)" is neither/, suggestion: /Did you mean "([^"]+)"\?/ },
  'invalid-module-name': { value: /^Module name "([^"]+)"/, suggestion: /Try "([^"]+)"\./ },
};

export class SpecQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE || typeof d.code !== 'string') continue;
      const pattern = PATTERNS[d.code];
      const value = pattern?.value.exec(d.message)?.[1];
      const suggestion = pattern?.suggestion.exec(d.message)?.[1];
      if (!value || !suggestion) continue;
      // The diagnostic may point at the start of the entry ("Feature: x"): find the value itself.
      const line = document.lineAt(d.range.start.line).text;
      const at = line.indexOf(value, d.range.start.character);
      if (at < 0) continue;
      const action = new vscode.CodeAction(`Change to "${suggestion}"`, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, new vscode.Range(d.range.start.line, at, d.range.start.line, at + value.length), suggestion);
      action.diagnostics = [d];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}

/** One "Send to Agent" per module among the diagnostics in range: several findings of one module go in one attempt. */
export class SendToAgentActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly merges: MergeDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const picked: { diagnostic: vscode.Diagnostic; send: SendableFinding }[] = [];
    for (const d of context.diagnostics) {
      const send = this.merges.sendableFinding(document.uri, d);
      if (send) picked.push({ diagnostic: d, send });
    }
    return groupByModule(picked.map((p) => p.send)).map((group) => {
      const n = group.findings.length;
      const action = new vscode.CodeAction(`Send to Agent: ${group.module}${n > 1 ? ` (${n} findings)` : ''}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = picked.filter((p) => p.send.module === group.module && p.send.phase === group.phase).map((p) => p.diagnostic);
      const request: SendRequest = group;
      action.command = { command: COMMAND.sendToAgent, title: 'Send to Agent', arguments: [request] };
      return action;
    });
  }
}

/** "Resolve in Merge Editor" on a merge conflict: one per module among the diagnostics in range. */
export class ResolveConflictActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly merges: MergeDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const byModule = new Map<string, { target: { phase: number; module: string }; diagnostics: vscode.Diagnostic[] }>();
    for (const d of context.diagnostics) {
      const target = d.code === 'merge-conflict' ? this.merges.conflictOf(document.uri, d) : null;
      if (!target) continue;
      const key = `${target.phase}/${target.module}`;
      const entry = byModule.get(key) ?? { target, diagnostics: [] };
      entry.diagnostics.push(d);
      byModule.set(key, entry);
    }
    return [...byModule.values()].map(({ target, diagnostics }) => {
      const action = new vscode.CodeAction(`Resolve in Merge Editor: ${target.module}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = diagnostics;
      action.isPreferred = true;
      action.command = { command: COMMAND.resolveInMergeEditor, title: 'Resolve in Merge Editor', arguments: [target] };
      return action;
    });
  }
}

export function registerQuickFixes(merges: MergeDiagnostics): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new ResolveConflictActions(merges), { providedCodeActionKinds: ResolveConflictActions.kinds }),
    vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, new SpecQuickFixes(), { providedCodeActionKinds: SpecQuickFixes.kinds }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new SendToAgentActions(merges), { providedCodeActionKinds: SendToAgentActions.kinds }),
  );
}
