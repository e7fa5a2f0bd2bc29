// Module names become git ref components (`conductor/<phase>/<module>`) and folder names, so they
// must be safe as both. We accept a conservative subset rather than everything git would allow.

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_LENGTH = 100;

/** Why `name` cannot be a module id, or null when it can. */
export function moduleNameError(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_LENGTH) return `the name is longer than ${MAX_LENGTH} characters`;
  if (!SAFE.test(name)) {
    return 'use letters, digits, ".", "_" and "-" only, starting with a letter or digit (it becomes a git branch and a folder name)';
  }
  if (name.includes('..')) return 'the name must not contain ".."';
  if (name.endsWith('.')) return 'the name must not end with "."';
  if (name.toLowerCase().endsWith('.lock')) return 'the name must not end with ".lock" (git reserves it)';
  return null;
}

/** A lower-case, hyphenated form of free text that is always a valid module name (or "" for no letters). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
}

export function phaseSlug(number: number, name: string): string {
  const s = slugify(name);
  return s ? `phase-${number}-${s}` : `phase-${number}`;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate within a distance that still looks like a typo, or null. */
export function closest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d <= limit) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
