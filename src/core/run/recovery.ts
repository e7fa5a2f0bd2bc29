// Recovering a phase's record when state.json is unreadable: what the module branches, worktrees and
// status files say about each module, folded by rebuildPhaseRun into a record to resume from.
import type { PlannedPhase } from '../model';
import type { FilesPort, RepoPort, WorktreePort } from '../ports';
import { isProgressEvent, parseStatusLine, type StatusEvent } from '../status/statusLine';
import type { PhaseRun } from './model';
import type { ConductorPaths } from './paths';
import { rebuildPhaseRun, type ModuleFacts } from './rebuild';

export interface RecoveryPorts {
  repo: RepoPort;
  worktrees: WorktreePort;
  files: FilesPort;
}

/** The phase's record rebuilt from the repository, or null when nothing of it is there. */
export async function recoverPhaseRun(
  phase: PlannedPhase,
  fresh: PhaseRun,
  ports: RecoveryPorts,
  paths: ConductorPaths,
  options: { now: string; worktreeRoot: string },
): Promise<PhaseRun | null> {
  const head = await ports.repo.head();
  const facts = new Map<string, ModuleFacts>();
  const worktrees = await ports.worktrees.list();
  for (const m of fresh.modules) {
    const branchExists = await ports.repo.resolve(m.branch).then(
      () => true,
      () => false,
    );
    const statusText = await ports.files.read(paths.statusFile(m.id));
    facts.set(m.id, {
      branchExists,
      worktreeExists: worktrees.some((w) => w.branch === m.branch),
      commitsAhead: branchExists ? await ports.repo.commitsAhead(m.branch, head).catch(() => 0) : 0,
      lastStatus: lastStatusOf(paths.statusFile(m.id), statusText),
    });
  }
  return rebuildPhaseRun(phase, { ...fresh, baseCommit: head, now: options.now, worktreeRoot: options.worktreeRoot, agent: fresh.agent, runId: fresh.runId }, facts);
}

/** The well-formed status events of a status file's text, in order (malformed lines are skipped). */
export function statusEventsIn(file: string, text: string | null): StatusEvent[] {
  const events: StatusEvent[] = [];
  (text ?? '').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const parsed = parseStatusLine(line, { file, line: i + 1 });
    if ('event' in parsed) events.push(parsed.event);
  });
  return events;
}

function lastStatusOf(file: string, text: string | null): ModuleFacts['lastStatus'] {
  // A discovery reported after completing says nothing about the module's state.
  const e = statusEventsIn(file, text).filter(isProgressEvent).at(-1);
  return e ? { status: e.status, summary: e.summary, attempt: e.attempt, at: new Date(e.ts).toISOString() } : null;
}
