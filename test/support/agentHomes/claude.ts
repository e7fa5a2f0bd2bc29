// An isolated home for the real Claude Code CLI (2.1.197), pointed at the scripted model server.
// Checked with strace -f -e trace=connect, headless and interactive: the only connections it makes
// are to the server (plus the nscd socket of the C library's user lookup, which is not network).
// See docs/agents/claude.md.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** A fake key: the server ignores it; Claude Code only needs one to skip the login. */
export const FAKE_ANTHROPIC_KEY = 'sk-ant-scripted-model-fake-key-0000';

export interface ClaudeHomeOptions {
  /** Folders to mark as trusted (interactive mode asks once per folder, and a trusted folder covers its subfolders). */
  trust?: string[];
}

/**
 * Writes Claude Code's global config into `home` (onboarding done, the fake key approved — the
 * interactive CLI otherwise asks whether to use a key found in the environment) and returns the
 * environment that makes the CLI use only that home and the server: telemetry, error reports,
 * update checks and other non-essential traffic off.
 */
export async function prepareClaudeHome(home: string, serverUrl: string, options: ClaudeHomeOptions = {}): Promise<Record<string, string>> {
  const configDir = path.join(home, '.claude');
  await mkdir(configDir, { recursive: true });
  const config = {
    hasCompletedOnboarding: true,
    // Claude Code remembers the answer by the key's last 20 characters.
    customApiKeyResponses: { approved: [FAKE_ANTHROPIC_KEY.slice(-20)], rejected: [] },
    projects: Object.fromEntries((options.trust ?? []).map((dir) => [dir, { hasTrustDialogAccepted: true, allowedTools: [] }])),
  };
  // With CLAUDE_CONFIG_DIR set, the global config is $CLAUDE_CONFIG_DIR/.claude.json (not ~/.claude.json).
  await writeFile(path.join(configDir, '.claude.json'), `${JSON.stringify(config, null, 2)}\n`);
  return {
    HOME: home,
    CLAUDE_CONFIG_DIR: configDir,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    ANTHROPIC_BASE_URL: serverUrl,
    ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    // Interactive Claude Code otherwise installs the official plugin marketplace at startup, whatever
    // the settings above: a fetch from downloads.claude.ai, then `git clone` of
    // github.com/anthropics/claude-plugins-official over https and ssh (seen with strace, 2.1.197).
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  };
}
