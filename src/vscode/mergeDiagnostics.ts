// Merge conflicts and validation findings on the files and lines they concern (source
// "Spec Conductor"), and predicted conflicts between running agents as warnings (source
// "Spec Conductor (predicted)"). Each run replaces the previous one, so a cause that is gone clears.
import * as vscode from 'vscode';
import { conflictFinding, validationFinding, type SendableFinding } from '../core/planRun/sendToAgent';
import type { MergeResult } from '../infra/merge/phaseMerge';
import { DIAGNOSTIC_SOURCE, PREDICTED_SOURCE } from './ids';

export interface PredictedConflict {
  a: string;
  b: string;
  conflicts: { file: string; startLine: number; endLine: number }[];
}

export class MergeDiagnostics implements vscode.Disposable {
  private readonly merged = vscode.languages.createDiagnosticCollection('spec-conductor-merge');
  private readonly predicted = vscode.languages.createDiagnosticCollection('spec-conductor-predicted');
  private merges = 0;
  /** What each shown merge diagnostic that names a module can send to it (Send to Agent), by uri. */
  private sendable = new Map<string, { diagnostic: vscode.Diagnostic; send: SendableFinding }[]>();
  /** The phase whose merge the diagnostics show. */
  private shownPhase: number | null = null;

  /** Changes when a merge starts and when it is shown: a prediction begun before either is stale. */
  get mergeGeneration(): number {
    return this.merges;
  }

  /** A merge is starting: predictions under way now will be superseded by its result. */
  beginMerge(): void {
    this.merges++;
  }

  showMerge(repoRoot: vscode.Uri, result: MergeResult): number {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const sendable = new Map<string, { diagnostic: vscode.Diagnostic; send: SendableFinding }[]>();
    const add = (file: string, d: vscode.Diagnostic, send: SendableFinding | null): void => {
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
      if (!send) return;
      const key = vscode.Uri.joinPath(repoRoot, file).toString();
      sendable.set(key, [...(sendable.get(key) ?? []), { diagnostic: d, send }]);
    };
    for (const c of result.conflicts) {
      const d = new vscode.Diagnostic(
        lines(c.startLine, c.endLine),
        `Merge conflict (${c.kind}) merging module ${c.module}${c.with.length ? ` with ${c.with.join(', ')}` : ''}: lines ${c.startLine}–${c.endLine} in ${c.module}'s version, ${c.theirsStartLine}–${c.theirsEndLine} in ${result.integrationBranch}.`,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = 'merge-conflict';
      add(c.file, d, { phase: result.phase, module: c.module, finding: conflictFinding(c, result.integrationBranch) });
    }
    for (const v of result.validation) {
      for (const f of v.findings) {
        const severity = f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
        const where = f.line ? new vscode.Range(f.line - 1, Math.max(0, (f.column ?? 1) - 1), f.line - 1, Math.max(0, (f.column ?? 1) - 1)) : lines(1, 1);
        const d = new vscode.Diagnostic(where, `${f.message}${f.module ? ` (module ${f.module})` : ''}${v.command ? ` — ${v.command}` : ''}`, severity);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = v.kind;
        // Findings without a file (a command that failed without saying where) go on READY.md.
        add(f.file ?? 'READY.md', d, f.module ? { phase: result.phase, module: f.module, finding: validationFinding(v, f) } : null);
      }
    }
    this.merged.clear();
    this.sendable = sendable;
    this.shownPhase = result.phase;
    for (const [file, list] of byFile) this.merged.set(vscode.Uri.joinPath(repoRoot, file), list);
    // The merge itself has shown what the predictions foretold: they are gone with it.
    this.predicted.clear();
    this.merges++;
    return result.conflicts.length;
  }

  /**
   * The finding a merge diagnostic of `uri` carries for its module, or null. Code actions get copies
   * of the diagnostics, so they are matched by what they show: code, message and line.
   */
  sendableFinding(uri: vscode.Uri, d: vscode.Diagnostic): SendableFinding | null {
    if (d.source !== DIAGNOSTIC_SOURCE) return null;
    const shown = this.sendable.get(uri.toString()) ?? [];
    return shown.find((s) => s.diagnostic.message === d.message && s.diagnostic.code === d.code && s.diagnostic.range.start.line === d.range.start.line)?.send ?? null;
  }

  /** Shows a prediction begun at `generation` (see mergeGeneration); null, showing nothing, when a merge came since. */
  showPredicted(repoRoot: vscode.Uri, pairs: readonly PredictedConflict[], generation: number): number | null {
    if (generation !== this.merges) return null;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    let count = 0;
    for (const p of pairs) {
      for (const c of p.conflicts) {
        const d = new vscode.Diagnostic(lines(c.startLine, c.endLine), `Agents ${p.a} and ${p.b} are both changing these lines: their branches will conflict at merge.`, vscode.DiagnosticSeverity.Warning);
        d.source = PREDICTED_SOURCE;
        d.code = 'predicted-conflict';
        byFile.set(c.file, [...(byFile.get(c.file) ?? []), d]);
        count++;
      }
    }
    this.predicted.clear();
    for (const [file, list] of byFile) this.predicted.set(vscode.Uri.joinPath(repoRoot, file), list);
    return count;
  }

  /** The phases were rolled back: a merge of one of them shown now is gone with it. */
  forgetPhases(numbers: readonly number[]): void {
    if (this.shownPhase === null || !numbers.includes(this.shownPhase)) return;
    this.merged.clear();
    this.sendable = new Map();
    this.shownPhase = null;
  }

  clearPredicted(): void {
    this.predicted.clear();
  }

  dispose(): void {
    this.merged.dispose();
    this.predicted.dispose();
  }
}

function lines(start: number, end: number): vscode.Range {
  return new vscode.Range(Math.max(0, start - 1), 0, Math.max(0, end - 1), Number.MAX_SAFE_INTEGER);
}
