// The prompt section of a fix round: what the phase's validation found in this module's work, verbatim
// (file, line, message, the command and its output), and what to do about a conflict.
import type { FixFinding } from '../run/model';
import { codeSpan, fencedBlock } from './markdownText';

export function fixFindingsSection(findings: readonly FixFinding[] | null | undefined, integrationBranch: string | null): string {
  if (!findings || findings.length === 0) return '';
  const lines = [
    '## Fix round: what the phase\'s validation found in your work',
    '',
    'Your module was merged with other modules of the phase and the result was validated. These findings are',
    'attributed to your module. Fix them in this worktree, commit, and report complete again.',
    '',
  ];
  for (const f of findings) {
    const where = f.file ? `${codeSpan(f.line ? `${f.file}:${f.line}` : f.file)} — ` : '';
    lines.push(`- ${where}${f.source}: ${oneLine(f.message)}`);
  }
  const conflicts = findings.filter((f) => f.source === 'conflict');
  if (conflicts.length > 0) {
    const files = [...new Set(conflicts.map((f) => f.file).filter((f): f is string => f !== null))];
    lines.push(
      '',
      '### Resolving the conflict',
      '',
      `The phase's integration result${integrationBranch ? ` (${codeSpan(integrationBranch)})` : ''} is being merged into your branch: the merge is in progress`,
      `in this worktree, with conflict markers in ${files.map(codeSpan).join(', ') || 'the conflicting files'}. Keep both sides' intent (the other`,
      'modules\' work is already validated), remove every marker, then `git add` the files and `git commit` to conclude the merge.',
    );
  }
  // The same command's output once, however many of its findings there are.
  const outputs = new Map<string, string>();
  for (const f of findings) if (f.command && f.outputTail && !outputs.has(f.command)) outputs.set(f.command, f.outputTail);
  for (const [command, tail] of outputs) {
    lines.push('', `### Output of ${codeSpan(command)}`, '', fencedBlock(tail, 'text'));
  }
  return lines.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
