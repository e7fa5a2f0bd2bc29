// Text from specs and agents (phase names, module ids) inside SVG: escaped for text and attribute
// values alike, and stripped of what XML cannot hold at all (control characters, lone surrogates),
// which would make the whole picture unreadable.

const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** At most `max` characters (code points, so no surrogate pair is split), an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' '));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** A coordinate with at most one decimal: stable text for the same picture. */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}
