// End-to-end test hook. When code-server is started with E2E_ENV.suite naming a suite file (see
// test/e2e/harness.ts), the activated extension loads that file inside the real extension host,
// runs its tests against an E2eApi and writes an E2eReport to the file named by E2E_ENV.results.
// Without the variables it does nothing.
import * as vscode from 'vscode';
import { rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { RunStateFile } from '../core/run/model';
import { E2E_ENV } from './ids';

export interface E2eDiagnostic {
  /** Workspace-relative path with forward slashes. */
  file: string;
  /** 1-based, like Problem. */
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  code: string;
  message: string;
}

/** One row of the Phases tree, flattened depth first. */
export interface E2eTreeItem {
  id: string;
  parentId: string | null;
  /** 0 for phases, 1 for modules, 2 for their details. */
  depth: number;
  label: string;
  description: string;
  contextValue: string;
  /** The codicon id (`pass-filled`), or null. */
  icon: string | null;
}

/** Milliseconds from `performance.now()` in the extension host. */
export interface E2eActivation {
  /** The host's `performance.timeOrigin` (ms since the epoch), to place the times below on a wall clock. */
  timeOrigin: number;
  /** When activate() began, since the extension host started. */
  startMs: number;
  /** activate() itself. */
  activateMs: number;
  /** From the start of activate() until the Phases tree first had items; null until it has. */
  firstTreeMs: number | null;
}

/** A diagnostic with the source it was published under (the Problems panel's "source" column). */
export interface E2eSourcedDiagnostic extends E2eDiagnostic {
  source: string;
}

/** A CodeLens as VS Code gets it from the providers. */
export interface E2eCodeLens {
  /** 1-based. */
  line: number;
  title: string;
  command: string;
  args: unknown[];
}

/** An editor tab; a multi-file diff editor's (vscode.changes) with its files' sides as uri strings, null for an absent side. */
export interface E2eEditorTab {
  label: string;
  active: boolean;
  textDiffs: { original: string | null; modified: string | null }[] | null;
  /** A merge editor tab's sides (uris), else null. */
  merge: { base: string; input1: string; input2: string; result: string } | null;
}

/** A change the views made, with when it was made (wall clock, ms since the epoch, fractional). */
export type E2eViewChange =
  /** A tree row that appeared or changed its kind, icon, description or label. */
  | { at: number; view: 'tree'; id: string; contextValue: string; icon: string | null; description: string; label: string }
  /** The status bar item redrawn with a different text. */
  | { at: number; view: 'statusBar'; text: string };

/** What a suite sees of the running extension; src/vscode/e2eState.ts fills it. Add a field per view or state a test needs. */
export interface E2eApi {
  readonly vscode: typeof vscode;
  /** Spec Conductor's current diagnostics, sorted by file and position. */
  diagnostics(): E2eDiagnostic[];
  /** The Phases tree as the view shows it. */
  tree(): E2eTreeItem[];
  /** The run state the views show (`.conductor/state.json`, or the engine of this window). */
  runState(): RunStateFile;
  /** The status bar item's text ('' while hidden), codicons as `$(id)`. */
  statusBarText(): string;
  /** Names of the open terminals. */
  terminals(): string[];
  /** Names of every terminal opened since activation, in order (closed ones included). */
  terminalsOpened(): string[];
  readonly activation: E2eActivation;
  /** What the tree and the status bar changed since activation, oldest first (the last VIEW_CHANGES_KEPT). */
  viewChanges(): E2eViewChange[];
  /** process.memoryUsage() of the extension host. */
  memory(): NodeJS.MemoryUsage;
  /** The same right after a full garbage collection: what is retained, not what awaits collection. */
  memoryAfterGc(): NodeJS.MemoryUsage;
  /** Every diagnostic published under a Spec Conductor source (spec problems, merge results, predicted conflicts), sorted like diagnostics(). */
  allDiagnostics(): E2eSourcedDiagnostic[];
  /** The CodeLenses of the plan file (READY.md), from every provider, in order. */
  codeLenses(): Promise<E2eCodeLens[]>;
  /** The name of the active terminal, or null. */
  activeTerminal(): string | null;
  /** Every editor tab, in every group. */
  editorTabs(): E2eEditorTab[];
}

export type E2eTest = (api: E2eApi) => unknown;

/** The shape of a suite module: named tests, run one after the other. */
export interface E2eSuite {
  tests: Record<string, E2eTest>;
}

export interface E2eResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface E2eReport {
  results: E2eResult[];
  /** The suite itself could not be loaded. */
  error?: string;
}

/** Builds the API (only when a suite is asked for: no cost otherwise) and runs the suite once activate() has returned. */
export function runE2eSuiteIfAsked(createApi: () => E2eApi, env: NodeJS.ProcessEnv = process.env): void {
  const suite = env[E2E_ENV.suite];
  const results = env[E2E_ENV.results];
  if (!suite || !results) return;
  const api = createApi();
  // After activate() has returned, so the suite sees a fully activated extension.
  setTimeout(() => void runSuite(suite, results, api), 0);
}

async function runSuite(suiteFile: string, resultsFile: string, api: E2eApi): Promise<void> {
  const report: E2eReport = { results: [] };
  try {
    const { tests } = createRequire(__filename)(suiteFile) as E2eSuite;
    for (const [name, test] of Object.entries(tests)) {
      const started = Date.now();
      try {
        await test(api);
        report.results.push({ name, ok: true, ms: Date.now() - started });
      } catch (e) {
        report.results.push({ name, ok: false, ms: Date.now() - started, error: describe(e) });
      }
    }
  } catch (e) {
    report.error = describe(e);
  }
  // Written whole and renamed, so the harness never reads half a report.
  await writeFile(`${resultsFile}.partial`, JSON.stringify(report, null, 2));
  await rename(`${resultsFile}.partial`, resultsFile);
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

const SEVERITY: Record<vscode.DiagnosticSeverity, E2eDiagnostic['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export function listDiagnostics(collection: vscode.DiagnosticCollection): E2eDiagnostic[] {
  const list: E2eDiagnostic[] = [];
  collection.forEach((uri, diagnostics) => {
    for (const d of diagnostics) list.push(toE2e(uri, d));
  });
  return sortDiagnostics(list);
}

/** Diagnostics of every extension whose source starts with `sourcePrefix`, as the Problems panel gets them. */
export function listSourcedDiagnostics(sourcePrefix: string): E2eSourcedDiagnostic[] {
  const list: E2eSourcedDiagnostic[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const d of diagnostics) if (d.source?.startsWith(sourcePrefix)) list.push({ ...toE2e(uri, d), source: d.source });
  }
  return sortDiagnostics(list);
}

function toE2e(uri: vscode.Uri, d: vscode.Diagnostic): E2eDiagnostic {
  return {
    file: vscode.workspace.asRelativePath(uri, false),
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    severity: SEVERITY[d.severity],
    code: String(typeof d.code === 'object' ? d.code.value : (d.code ?? '')),
    message: d.message,
  };
}

function sortDiagnostics<T extends E2eDiagnostic>(list: T[]): T[] {
  return list.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
