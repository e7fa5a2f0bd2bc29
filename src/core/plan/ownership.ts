// Whether two owned-path globs can match the same file. Exact for a literal path against a glob;
// for two globs it compares static bases and final `*.ext` segments, which errs towards "overlaps":
// a false warning costs a glance, a missed one costs a merge conflict.
import picomatch from 'picomatch';

function normalize(pattern: string): string {
  return pattern.trim().replace(/^\.\//, '').replace(/\/+$/, '/**');
}

function isUnder(path: string, base: string): boolean {
  return base === '' || path === base || path.startsWith(`${base}/`);
}

function extensionOf(pattern: string): string | null {
  const last = pattern.split('/').pop() ?? '';
  const m = /^\*\.([A-Za-z0-9]+)$/.exec(last);
  return m ? m[1].toLowerCase() : null;
}

export function globsOverlap(aRaw: string, bRaw: string): boolean {
  const a = normalize(aRaw);
  const b = normalize(bRaw);
  if (!a || !b) return false;
  const sa = picomatch.scan(a);
  const sb = picomatch.scan(b);
  if (!sa.isGlob && !sb.isGlob) return a === b || isUnder(a, b) || isUnder(b, a);
  if (!sa.isGlob) return picomatch(b, { dot: true })(a) || isUnder(sb.base, a);
  if (!sb.isGlob) return picomatch(a, { dot: true })(b) || isUnder(sa.base, b);
  if (!isUnder(sa.base, sb.base) && !isUnder(sb.base, sa.base)) return false;
  const ea = extensionOf(a);
  const eb = extensionOf(b);
  return !(ea && eb && ea !== eb);
}
