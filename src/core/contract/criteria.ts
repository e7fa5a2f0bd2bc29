// Measurable vs vague acceptance criteria (seed 001): an agent can only verify a criterion that
// names something checkable — a number, code, a path, a command, an HTTP method, a literal or a
// checklist. "The API should be fast" names none of these.

const CLI_WORDS = new Set(['npm', 'npx', 'yarn', 'pnpm', 'node', 'python', 'python3', 'pytest', 'go', 'cargo', 'make', 'curl', 'git']);
// Words after which these CLI names are ordinary English ("make sure", "go through").
const PROSE_AFTER: Readonly<Record<string, ReadonlySet<string>>> = {
  make: new Set(['sure', 'it', 'certain', 'sense', 'things', 'the', 'a', 'an']),
  go: new Set(['through', 'to', 'back', 'over', 'live', 'wrong', 'into', 'the', 'a', 'an']),
  node: new Set(['is', 'should', 'must', 'can', 'will', 'and', 'or']),
};
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'a.k.a', 'cf']);

/** True when the criterion gives an agent nothing to measure or check. */
export function isVagueCriterion(text: string): boolean {
  return !isMeasurable(text);
}

function isMeasurable(text: string): boolean {
  if (/\d/.test(text)) return true;
  if (/`[^`]+`/.test(text)) return true;
  if (/"[^"]+"|“[^”]+”/.test(text)) return true;
  if (/\b(?:GET|POST|PUT|PATCH|DELETE)\b/.test(text)) return true;
  // Arrows are not comparisons.
  if (/[<>≤≥]/.test(text.replace(/<?[-=]+>|<[-=]+/g, ' '))) return true;
  if (hasPath(text)) return true;
  if (hasCommand(text)) return true;
  return isChecklist(text);
}

function hasPath(text: string): boolean {
  for (const raw of text.split(/\s+/)) {
    const token = raw.replace(/^[("'[{]+|[)"'\]},.;:!?]+$/g, '');
    if (token.length < 3 || ABBREVIATIONS.has(token.toLowerCase())) continue;
    if (token.includes('/') && token.toLowerCase() !== 'and/or' && /[^/]\/|\/[^/]/.test(token)) return true;
    if (/^[\w@-][\w@.-]*\.[A-Za-z0-9]{1,5}$/.test(token)) return true;
  }
  return false;
}

/** A line (or the part after a "Label:") that starts with a known CLI followed by arguments. */
function hasCommand(text: string): boolean {
  const starts = [text.trim(), text.replace(/^[^:]*:\s*/, '')];
  for (const start of starts) {
    const words = start.split(/\s+/);
    const cli = words[0];
    if (!CLI_WORDS.has(cli)) continue;
    const next = (words[1] ?? '').replace(/[.,;:!?]+$/, '');
    if (next === '') return cli === 'pytest';
    if (PROSE_AFTER[cli]?.has(next.toLowerCase())) continue;
    return true;
  }
  return false;
}

/** "covers: invalid input, DB failures, timeouts" — an explicit list of two or more short items. */
function isChecklist(text: string): boolean {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return false;
  const items = text
    .slice(colon + 1)
    .replace(/[.;]\s*$/, '')
    .split(',')
    .map((s) => s.trim().replace(/^(?:and|or)\s+/i, ''));
  return items.length >= 2 && items.every((s) => s !== '' && s.split(/\s+/).length <= 6);
}
