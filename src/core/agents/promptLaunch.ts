// The prompt's lines about a module's own launch choices (tasks.csv's context_path and max_turns):
// where the agent starts and how many turns it has. Only CLIs with a turn-limit flag enforce the
// budget (presets.ts); for the others this line is all there is, so it is always said.
import type { PlannedModule } from '../model';
import { codeSpan } from './markdownText';

export function launchRules(module: Pick<PlannedModule, 'contextPath' | 'maxTurns'>, worktree: string): string[] {
  const lines: string[] = [];
  if (module.contextPath) {
    const folder = `${worktree.replace(/\/+$/, '')}/${module.contextPath.value}`;
    lines.push(
      `- Your work is in ${codeSpan(module.contextPath.value)} (${codeSpan(folder)}): you start in that folder. ` +
        'Paths in this prompt are relative to the worktree root; your agent may refuse to edit outside the folder it started in.',
    );
  }
  if (module.maxTurns) {
    const n = module.maxTurns.value;
    lines.push(`- You have ${n} turn${n === 1 ? '' : 's'} for this task: commit and report before they run out; you may be stopped after them.`);
  }
  return lines;
}
