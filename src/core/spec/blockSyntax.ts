// CommonMark (0.31) block-start patterns, applied to a line from its first non-space character. Only
// the block structure matters to the plan, so inline syntax is never parsed.

export const ATX_START = /^#{1,6}(?:[ \t]|$)/;
export const FENCE_START = /^`{3,}(?!.*`)|^~{3,}/;
export const FENCE_CLOSE = /^(?:`{3,}|~{3,})(?=[ \t]*$)/;
export const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
export const BULLET = /^[*+-]/;
export const ORDERED = /^(\d{1,9})([.)])/;

const BLOCK_TAGS =
  'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|' +
  'fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|' +
  'menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul';
const ATTRIBUTE = `(?:\\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\\s*=\\s*(?:[^"'=<>\`\\x00-\\x20]+|'[^']*'|"[^"]*"))?)`;
const OPEN_TAG = `<[A-Za-z][A-Za-z0-9-]*${ATTRIBUTE}*\\s*/?>`;
const CLOSE_TAG = '</[A-Za-z][A-Za-z0-9-]*\\s*>';

/** HTML block kinds 1 to 7, by their start; index 0 is unused. */
export const HTML_OPEN: readonly RegExp[] = [
  /$^/,
  /^<(?:script|pre|textarea|style)(?:\s|>|$)/i,
  /^<!--/,
  /^<[?]/,
  /^<![A-Za-z]/,
  /^<!\[CDATA\[/,
  new RegExp(`^</?(?:${BLOCK_TAGS})(?:\\s|/?>|$)`, 'i'),
  new RegExp(`^(?:${OPEN_TAG}|${CLOSE_TAG})[ \\t]*$`),
];
/** Kinds 1 to 5 end at the line holding this; 6 and 7 at a blank line. */
export const HTML_CLOSE: readonly RegExp[] = [/$^/, /<\/(?:script|pre|textarea|style)>/i, /-->/, /\?>/, />/, /\]\]>/];

const LABEL = String.raw`\[(?:[^\\[\]]|\\.){0,999}\]:`;
const DESTINATION = String.raw`(?:<(?:[^<>\n\\]|\\.)*>|[^\s<]\S*)`;
const TITLE = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))`;
const WHOLE = new RegExp(`^${LABEL}[ \t]*${DESTINATION}([ \t]+${TITLE})?[ \t]*$`);
const LABEL_ONLY = new RegExp(`^${LABEL}[ \t]*$`);
const DESTINATION_LINE = new RegExp(`^${DESTINATION}([ \t]+${TITLE})?[ \t]*$`);
const TITLE_LINE = new RegExp(`^${TITLE}[ \t]*$`);

const OPEN_LABEL = /^\[(?:[^\\[\]]|\\.){0,999}$/;

/**
 * Where a line leaves a run of link reference definitions at a paragraph's start: 'label' (inside a
 * label that goes on), 'destination' (a label waiting for its destination), 'title' (a definition
 * that a title on the next line may finish), 'done' (a definition with its title), or null (not part
 * of a definition). Titles spread over several lines are not recognised: the plan never reads
 * definitions, they only decide where a paragraph starts.
 */
export type DefinitionState = 'label' | 'destination' | 'title' | 'done' | null;

export function definitionStep(line: string, previous: DefinitionState | 'start', pendingLabel: string): DefinitionState {
  const t = line.trimStart();
  if (previous === 'destination') {
    const m = DESTINATION_LINE.exec(t);
    return m ? (m[1] ? 'done' : 'title') : null;
  }
  if (previous === 'title' && TITLE_LINE.test(t)) return 'done';
  const text = previous === 'label' ? `${pendingLabel}\n${t}` : t;
  if (text.charCodeAt(0) !== 0x5b) return null;
  if (OPEN_LABEL.test(text)) return 'label';
  const close = text.indexOf(']:');
  if (close < 0 || !/\S/.test(text.slice(1, close))) return null;
  const m = WHOLE.exec(text);
  if (m) return m[1] ? 'done' : 'title';
  return LABEL_ONLY.test(text) ? 'destination' : null;
}

export const isSpaceOrTab = (c: string | undefined): boolean => c === ' ' || c === '\t';
