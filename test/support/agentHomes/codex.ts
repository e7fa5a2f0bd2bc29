// An isolated home for the real Codex CLI, pointed at the scripted model server: its own HOME and
// CODEX_HOME with a config.toml holding a custom model provider (the OpenAI Responses API at
// <server>/v1), a fake key, no update checks, analytics, feedback or other network features, and a
// workspace-write sandbox that does NOT add /tmp and $TMPDIR to the writable roots (test
// repositories live under /tmp; with those roots the sandbox would prove nothing).
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** The model Codex believes it talks to: one from its bundled catalog, so it offers its usual tools. */
export const CODEX_TEST_MODEL = 'gpt-5.5';
export const CODEX_KEY_ENV = 'SCRIPTED_MODEL_API_KEY';

function tomlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid TOML basic string
}

export interface CodexHomeOptions {
  /** Retries of a failed request / a dropped stream before Codex gives up (keeps failure tests fast). */
  requestMaxRetries?: number;
  streamMaxRetries?: number;
}

export async function prepareCodexHome(home: string, serverUrl: string, options: CodexHomeOptions = {}): Promise<Record<string, string>> {
  const codexHome = path.join(home, '.codex');
  await mkdir(codexHome, { recursive: true });
  const config = [
    `model = ${tomlString(CODEX_TEST_MODEL)}`,
    'model_provider = "scripted"',
    'check_for_update_on_startup = false',
    'web_search = "disabled"',
    'hide_agent_reasoning = true',
    '',
    '[model_providers.scripted]',
    'name = "Scripted model server"',
    `base_url = ${tomlString(`${serverUrl}/v1`)}`,
    'wire_api = "responses"',
    `env_key = ${tomlString(CODEX_KEY_ENV)}`,
    `request_max_retries = ${options.requestMaxRetries ?? 1}`,
    `stream_max_retries = ${options.streamMaxRetries ?? 1}`,
    'stream_idle_timeout_ms = 30000',
    '',
    '[sandbox_workspace_write]',
    'exclude_slash_tmp = true',
    'exclude_tmpdir_env_var = true',
    'network_access = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    // Features that reach the internet on their own: the plugin marketplace (a `git clone` of
    // github.com/openai/plugins, api.github.com), apps/connectors and remote plugins (chatgpt.com).
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'plugin_sharing = false',
    'apps = false',
    'tool_suggest = false',
    'in_app_updates = false',
    '',
  ].join('\n');
  await writeFile(path.join(codexHome, 'config.toml'), config);
  return {
    HOME: home,
    CODEX_HOME: codexHome,
    [CODEX_KEY_ENV]: 'scripted-model-fake-key',
  };
}
