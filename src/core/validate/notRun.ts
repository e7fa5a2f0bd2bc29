// Commands left unrun because the repository is not trusted are said in the result, one step per
// kind, as a warning: an unrun command is never a passed one (the merge is then not validated).
import type { CommandKind, ValidationResult } from './findings';

const NAMES: Record<CommandKind, string> = { 'test-command': 'test', 'lint-command': 'lint', 'check-command': 'check' };

export function notRunResults(commands: readonly [CommandKind, readonly string[]][]): ValidationResult[] {
  return commands
    .filter(([, list]) => list.length > 0)
    .map(([kind, list]) => ({
      kind,
      command: list.join(' && '),
      exitCode: null,
      durationMs: 0,
      outputTail: '',
      findings: [{
        source: kind,
        file: null,
        line: null,
        column: null,
        severity: 'warning',
        message: `The ${NAMES[kind]} commands were not run: the repository is not trusted (pass --trust).`,
        module: null,
      }],
    }));
}
