// An isolated home for the real Qwen Code CLI, pointed at the scripted model server: the `openai`
// auth type (OPENAI_BASE_URL, a fake OPENAI_API_KEY, OPENAI_MODEL), so it never asks for a login;
// usage statistics, telemetry and update checks off, so nothing leaves the machine.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export const QWEN_MODEL = 'scripted-model';

export interface QwenHomeOptions {
  /**
   * `model.generationConfig.maxRetries`: the OpenAI SDK's retries and Qwen Code's stream-level
   * rate-limit retries (default 2 and 10, the latter 60 s to 5 min apart). 0 keeps a usage-limit test
   * short; Qwen Code's own retryWithBackoff (7 attempts, ~75 s) is not configurable.
   */
  maxRetries?: number;
}

/** Writes `<home>/.qwen/settings.json` and returns the environment the CLI needs. */
export async function prepareQwenHome(home: string, serverUrl: string, options: QwenHomeOptions = {}): Promise<Record<string, string>> {
  const dir = path.join(home, '.qwen');
  await mkdir(dir, { recursive: true });
  const settings = {
    $version: 4,
    security: { auth: { selectedType: 'openai' }, folderTrust: { enabled: false } },
    model: { name: QWEN_MODEL, ...(options.maxRetries !== undefined ? { generationConfig: { maxRetries: options.maxRetries } } : {}) },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false },
    ide: { enabled: false, hasSeenNudge: true },
  };
  await writeFile(path.join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return {
    HOME: home,
    OPENAI_BASE_URL: `${serverUrl}/v1`,
    OPENAI_API_KEY: 'sk-scripted-model-fake-key',
    OPENAI_MODEL: QWEN_MODEL,
    // Not a terminal: no colours or terminal probing in captured output.
    NO_COLOR: '1',
    // No editor or IDE companion discovery from the test machine's environment.
    TERM_PROGRAM: '',
  };
}
