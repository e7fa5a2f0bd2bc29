// Merge conflicts and validation findings on the files and lines they concern (source
// "Spec Conductor"; a conflict on its file in the integration worktree, where it is resolved), and predicted conflicts between running agents as warnings (source
// "Spec Conductor (predicted)"). Each run replaces the previous one, so a cause that is gone clears.
import * as vscode from 'vscode';
import { conflictFinding, validationFinding, type SendableFinding } from '../core/planRun/sendToAgent';
import { markerRanges } from '../core/merge/resolution';
import type { MergeResult } from '../infra/merge/phaseMerge';
import { DIAGNOSTIC_SOURCE, PREDICTED_SOURCE } from './ids';

export interface PredictedConflict {
  a: string;
  b: string;
  conflicts: { file: string; startLine: number; endLine: number }[];
}

/** A shown merge diagnostic: where, and what its quick fixes need (Send to Agent's finding, the conflict's module). */
interface Shown {
  uri: vscode.Uri;
  diagnostic: vscode.Diagnostic;
  send: SendableFinding | null;
  conflict: { phase: number; module: string } | null;
}

export class MergeDiagnostics implements vscode.Disposable {
  private readonly merged = vscode.languages.createDiagnosticCollection('spec-conductor-merge');
  private readonly predicted = vscode.languages.createDiagnosticCollection('spec-conductor-predicted');
  private merges = 0;
  private shown: Shown[] = [];
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

  /**
   * A merge's conflicts go on the file in the integration worktree (where the module is merged, and
   * where Resolve in Merge Editor puts the conflict), at the integration side's lines; validation
   * findings on the files of `repoRoot`.
   */
  showMerge(repoRoot: vscode.Uri, result: MergeResult): number {
    const shown: Shown[] = [];
    const integration = vscode.Uri.file(result.integrationWorktree);
    for (const c of result.conflicts) {
      const d = new vscode.Diagnostic(
        // The integration side may have no lines there (end < start): its start line, then.
        lines(c.theirsStartLine, Math.max(c.theirsStartLine, c.theirsEndLine)),
        `Merge conflict (${c.kind}) merging module ${c.module}${c.with.length ? ` with ${c.with.join(', ')}` : ''}: lines ${c.startLine}–${c.endLine} in ${c.module}'s version, ${c.theirsStartLine}–${c.theirsEndLine} in ${result.integrationBranch}.`,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = 'merge-conflict';
      const send = { phase: result.phase, module: c.module, finding: conflictFinding(c, result.integrationBranch) };
      shown.push({ uri: vscode.Uri.joinPath(integration, c.file), diagnostic: d, send, conflict: { phase: result.phase, module: c.module } });
    }
    for (const v of result.validation) {
      for (const f of v.findings) {
        const severity = f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
        const where = f.line ? new vscode.Range(f.line - 1, Math.max(0, (f.column ?? 1) - 1), f.line - 1, Math.max(0, (f.column ?? 1) - 1)) : lines(1, 1);
        const d = new vscode.Diagnostic(where, `${f.message}${f.module ? ` (module ${f.module})` : ''}${v.command ? ` — ${v.command}` : ''}`, severity);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = v.kind;
        // Findings without a file (a command that failed without saying where) go on READY.md.
        const send = f.module ? { phase: result.phase, module: f.module, finding: validationFinding(v, f) } : null;
        shown.push({ uri: vscode.Uri.joinPath(repoRoot, f.file ?? 'READY.md'), diagnostic: d, send, conflict: null });
      }
    }
    this.show(shown);
    this.shownPhase = result.phase;
    // The merge itself has shown what the predictions foretold: they are gone with it.
    this.predicted.clear();
    this.merges++;
    return result.conflicts.length;
  }

  /**
   * The conflict of `module` is in progress in its files (Resolve in Merge Editor): its diagnostics
   * move to the conflict blocks still in them; a file without markers (resolved) has none.
   */
  showResolution(at: { phase: number; module: string }, files: readonly { uri: vscode.Uri; text: string | null; send: SendableFinding }[]): void {
    const rest = this.shown.filter((s) => !(s.conflict?.phase === at.phase && s.conflict.module === at.module && files.some((f) => f.uri.toString() === s.uri.toString())));
    const blocks: Shown[] = [];
    for (const f of files) {
      for (const r of f.text === null ? [] : markerRanges(f.text)) {
        const d = new vscode.Diagnostic(lines(r.startLine, r.endLine), `Merge conflict merging module ${at.module}: resolve it (Resolve in Merge Editor), save, then Commit Resolved Merge.`, vscode.DiagnosticSeverity.Error);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = 'merge-conflict';
        blocks.push({ uri: f.uri, diagnostic: d, send: f.send, conflict: at });
      }
    }
    this.show([...rest, ...blocks]);
  }

  /** The conflict of `module` was committed or abandoned: its diagnostics go (the next merge tells the rest). */
  clearConflict(at: { phase: number; module: string }): void {
    this.show(this.shown.filter((s) => !(s.conflict?.phase === at.phase && s.conflict.module === at.module)));
  }

  /**
   * The finding a merge diagnostic of `uri` carries for its module, or null. Code actions get copies
   * of the diagnostics, so they are matched by what they show: code, message and line.
   */
  sendableFinding(uri: vscode.Uri, d: vscode.Diagnostic): SendableFinding | null {
    return this.find(uri, d)?.send ?? null;
  }

  /** The phase and module of a merge-conflict diagnostic of `uri`, or null. */
  conflictOf(uri: vscode.Uri, d: vscode.Diagnostic): { phase: number; module: string } | null {
    return this.find(uri, d)?.conflict ?? null;
  }

  /** The phases were rolled back: a merge of one of them shown now is gone with it. */
  forgetPhases(numbers: readonly number[]): void {
    if (this.shownPhase === null || !numbers.includes(this.shownPhase)) return;
    this.show([]);
    this.shownPhase = null;
  }

  private find(uri: vscode.Uri, d: vscode.Diagnostic): Shown | undefined {
    if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
    const key = uri.toString();
    return this.shown.find((s) => s.uri.toString() === key && s.diagnostic.message === d.message && s.diagnostic.code === d.code && s.diagnostic.range.start.line === d.range.start.line);
  }

  private show(shown: Shown[]): void {
    this.shown = shown;
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const s of shown) {
      const entry = byFile.get(s.uri.toString()) ?? { uri: s.uri, list: [] };
      entry.list.push(s.diagnostic);
      byFile.set(s.uri.toString(), entry);
    }
    this.merged.clear();
    for (const { uri, list } of byFile.values()) this.merged.set(uri, list);
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
