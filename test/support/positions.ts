// Collects every {line, column} in a value, for asserting that positions stay inside their file.
export interface FoundPos {
  path: string;
  line: number;
  column: number;
  file?: string;
}

export function collectPositions(value: unknown, path = '$', out: FoundPos[] = [], seen = new Set<unknown>()): FoundPos[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  const v = value as Record<string, unknown>;
  if (typeof v.line === 'number' && typeof v.column === 'number') {
    out.push({ path, line: v.line, column: v.column, file: typeof v.file === 'string' ? v.file : undefined });
  }
  for (const [k, child] of Object.entries(v)) collectPositions(child, `${path}.${k}`, out, seen);
  return out;
}

export function lineCount(text: string): number {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/).length;
}
