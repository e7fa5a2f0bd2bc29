// Text from agents (their output, the summaries they report) shown in a terminal: escape sequences
// (colours, cursor moves, window titles, hyperlinks) and other control characters are removed, so
// an agent cannot rewrite, clear or retitle the user's terminal, and bidirectional overrides are
// removed so the text reads in the order it is stored.

const SEQUENCES = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|\x1b[ -/]*[0-~]?/g;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without terminal control sequences or control characters (tabs are kept). */
export function plainText(text: string): string {
  return text.replace(SEQUENCES, '').replace(CONTROLS, '');
}

/** plainText line by line: line breaks (`\r\n`, `\r`, U+2028, U+2029 too) become `\n`; trailing blank lines go. */
export function plainLines(text: string): string {
  return text
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map(plainText)
    .join('\n')
    .replace(/\s+$/, '');
}
