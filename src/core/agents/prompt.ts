// The prompt an agent gets: a markdown briefing built from the plan, or the user's template with
// {{placeholders}} filled in. Pure; the engine writes the text to $CONDUCTOR_PROMPT_FILE.

import { headerOf, promptSections, SECTION_NAMES, type PromptInput } from './promptSections';

export type { PromptInput } from './promptSections';

export interface BuiltPrompt {
  text: string;
  /** Problems with the template (unknown placeholders, empty template); empty for the default prompt. */
  warnings: string[];
}

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export function buildPrompt(input: PromptInput): BuiltPrompt {
  const sections = promptSections(input);
  const defaultText = `${[headerOf(input), ...SECTION_NAMES.map((n) => sections[n])].filter((s) => s !== '').join('\n\n')}\n`;

  const template = input.template;
  if (template === null || template === undefined) return { text: defaultText, warnings: [] };
  if (template.trim() === '') {
    return { text: defaultText, warnings: ['The prompt template is empty; the default prompt is used.'] };
  }

  const values = new Map<string, string>([
    ['phase.number', String(input.phase.number)],
    ['phase.name', input.phase.name],
    ['phase.slug', input.phase.slug],
    ['module.id', input.module.id],
    ['module.featureId', input.module.featureId ?? ''],
    ['worktree', input.worktree],
    ['attempt', String(input.attempt)],
    ['default', defaultText.replace(/\n$/, '')],
    ...SECTION_NAMES.map((n): [string, string] => [`section.${n}`, sections[n]]),
  ]);

  const warnings: string[] = [];
  const reported = new Set<string>();
  // One pass of String.replace: substituted values are never scanned again, so a value containing
  // "{{x}}" (spec text can) stays as written.
  const text = template.replace(PLACEHOLDER, (match: string, name: string, offset: number) => {
    const value = values.get(name);
    if (value !== undefined) return value;
    if (!reported.has(name)) {
      reported.add(name);
      const line = template.slice(0, offset).split('\n').length;
      warnings.push(`Unknown placeholder ${match} at line ${line} of the prompt template; it is left as written.`);
    }
    return match;
  });
  return { text, warnings };
}

/** Every placeholder a template may use, for completion and documentation. */
export const PROMPT_PLACEHOLDERS: readonly string[] = [
  'phase.number',
  'phase.name',
  'phase.slug',
  'module.id',
  'module.featureId',
  'worktree',
  'attempt',
  ...SECTION_NAMES.map((n) => `section.${n}`),
  'default',
];
