// An isolated HOME for the real Gemini CLI, pointed at the scripted model server: a fake API key,
// the Gemini API base URL, and ~/.gemini/settings.json with API-key auth and everything that could
// reach the internet by itself (telemetry, usage statistics, update checks, the IDE companion) off.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export const GEMINI_FAKE_API_KEY = 'scripted-model-fake-key';

export async function prepareGeminiHome(home: string, serverUrl: string): Promise<Record<string, string>> {
  const dir = path.join(home, '.gemini');
  await mkdir(dir, { recursive: true });
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false, logPrompts: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    ide: { enabled: false, hasSeenNudge: true },
  };
  await writeFile(path.join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return {
    HOME: home,
    GEMINI_API_KEY: GEMINI_FAKE_API_KEY,
    GOOGLE_GEMINI_BASE_URL: serverUrl,
    // The CLI also reads these; keep other Google credentials of the test machine out.
    GOOGLE_API_KEY: '',
    GOOGLE_CLOUD_PROJECT: '',
    GOOGLE_APPLICATION_CREDENTIALS: '',
    GOOGLE_GENAI_USE_VERTEXAI: '',
    GOOGLE_GENAI_USE_GCA: '',
  };
}
