// The stream parser of each preset that has a machine-readable headless output.
import type { AgentPresetId } from '../presets';
import { claudeStreamParser } from './claude';
import { createCodexParser } from './codex';
import { GeminiStreamParser } from './gemini';
import { qwenStreamParser } from './qwen';
import type { AgentStreamParser } from './signals';

export type { AgentSignal, AgentStreamParser } from './signals';

const FACTORIES: Partial<Record<AgentPresetId, () => AgentStreamParser>> = {
  claude: claudeStreamParser,
  codex: () => createCodexParser(),
  gemini: () => new GeminiStreamParser(),
  qwen: qwenStreamParser,
};

/** A fresh parser for one attempt of a preset's headless run, or null when the preset has none. */
export function streamParserFor(preset: string): AgentStreamParser | null {
  const factory = FACTORIES[preset.trim().toLowerCase() as AgentPresetId];
  return factory ? factory() : null;
}
