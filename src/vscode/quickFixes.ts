// Quick fixes for spec problems whose message names the likely intended value: an unknown
// dependency ("Did you mean …?") and an unusable module name ("Try …").
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './ids';

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

export function registerQuickFixes(): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, new SpecQuickFixes(), { providedCodeActionKinds: SpecQuickFixes.kinds });
}
