// Small text helpers shared by the views: durations, plurals, truncation and markdown escaping.

/** `45s`, `3m 12s`, `1h 05m`; negative spans (clock skew) read as `0s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `1 module`, `3 modules`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The first line of `text`, cut to `max` characters; an ellipsis says something was left out. */
export function truncate(text: string, max: number): string {
  const trimmed = text.trim();
  const line = trimmed.split(/\r?\n/, 1)[0].trimEnd();
  if (line.length > max) return `${line.slice(0, Math.max(1, max - 1)).trimEnd()}…`;
  return line.length < trimmed.length ? `${line}…` : line;
}

/**
 * Escapes text from agents and spec files for a MarkdownString that renders theme icons, the way
 * MarkdownString.appendText does: `$(…)` icon references first (`\$(…)`), then markdown syntax and
 * HTML, so everything shows literally.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\$\(/g, '\\$(').replace(/[\\`*_{}[\]()#+\-.!|<>~&$]/g, '\\$&');
}

/** Inline code whose fence is longer than any backtick run inside it. */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Milliseconds between two ISO times (or an ISO time and `now`), or null when either is missing or invalid. */
export function spanMs(from: string | null, to: string | number | null): number | null {
  if (from === null || to === null) return null;
  const a = Date.parse(from);
  const b = typeof to === 'number' ? to : Date.parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? null : b - a;
}
