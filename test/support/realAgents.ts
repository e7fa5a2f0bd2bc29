// The real agent CLIs, pinned in test/agents/versions.env and installed by test/agents/install.sh
// into a cache outside the repository. Tests that drive them skip with a reason when they are not
// installed — except when SPEC_CONDUCTOR_REQUIRE_AGENTS=1 (CI sets it), where a missing CLI fails.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export type RealCli = 'claude' | 'codex' | 'gemini' | 'qwen';

function versions(): Record<string, string> {
  const text = readFileSync(path.join(__dirname, '../agents/versions.env'), 'utf8');
  return Object.fromEntries(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=', 2) as [string, string]));
}

/** The folder holding the pinned CLIs' executables, as install.sh lays it out. */
export function realAgentsBinDir(): string {
  if (process.env.SPEC_CONDUCTOR_AGENTS_BIN) return process.env.SPEC_CONDUCTOR_AGENTS_BIN;
  const v = versions();
  const root = process.env.SPEC_CONDUCTOR_AGENTS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'spec-conductor-agents');
  const dir = `claude-${v.CLAUDE_CODE_VERSION}-codex-${v.CODEX_VERSION}-gemini-${v.GEMINI_CLI_VERSION}-qwen-${v.QWEN_CODE_VERSION}`;
  return path.join(root, dir, 'node_modules', '.bin');
}

export function realCliVersion(cli: RealCli): string {
  const v = versions();
  return { claude: v.CLAUDE_CODE_VERSION, codex: v.CODEX_VERSION, gemini: v.GEMINI_CLI_VERSION, qwen: v.QWEN_CODE_VERSION }[cli];
}

/**
 * For `describe(name, { skip: skipUnlessInstalled('claude') }, …)`: false when the CLI is there, a
 * reason when it is not; throws when CI requires the CLIs, so a missing install fails loudly.
 */
export function skipUnlessInstalled(cli: RealCli): string | false {
  if (existsSync(path.join(realAgentsBinDir(), cli))) return false;
  const reason = `${cli} ${realCliVersion(cli)} is not installed: run bash test/agents/install.sh`;
  if (process.env.SPEC_CONDUCTOR_REQUIRE_AGENTS === '1') throw new Error(reason);
  return reason;
}

/** PATH for an agent run: the pinned CLIs first, then the test process's own PATH. */
export function pathWithRealAgents(): string {
  return [realAgentsBinDir(), process.env.PATH ?? ''].join(path.delimiter);
}
