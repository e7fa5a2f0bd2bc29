// Line alignment of two versions of a file (Myers' shortest edit script), used to carry a line
// number from one version into the other.

/**
 * For each line of `a`, the index of the line of `b` it is kept as along a shortest edit script,
 * or -1 when it was deleted. Null when the versions differ by more than `maxEdits` line edits
 * (after trimming the common start and end), to bound time and memory (O(edits²)).
 */
export function matchLines(a: readonly string[], b: readonly string[], maxEdits = 2000): Int32Array | null {
  const match = new Int32Array(a.length).fill(-1);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) {
    match[head] = head;
    head++;
  }
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
    match[a.length - 1 - tail] = b.length - 1 - tail;
    tail++;
  }
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
  const x0 = a.slice(head, a.length - tail).map(intern);
  const y0 = b.slice(head, b.length - tail).map(intern);
  const middle = myers(x0, y0, maxEdits);
  if (!middle) return null;
  middle.forEach((j, i) => {
    if (j >= 0) match[head + i] = head + j;
  });
  return match;
}

/** Greedy forward Myers with a trace of the furthest-reaching points, then a walk back. */
function myers(x: readonly number[], y: readonly number[], maxEdits: number): Int32Array | null {
  const n = x.length;
  const m = y.length;
  const out = new Int32Array(n).fill(-1);
  if (n === 0 || m === 0) return out;
  const limit = Math.min(n + m, maxEdits);
  // v[k + off]: furthest x reached on diagonal k (k = x - y).
  const off = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= limit && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let px = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let py = px - k;
      while (px < n && py < m && x[px] === y[py]) {
        px++;
        py++;
      }
      v[off + k] = px;
      if (px >= n && py >= m) found = d;
    }
    trace.push(v.slice(off - d, off + d + 1));
  }
  if (found < 0) return null;
  let px = n;
  let py = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]; // index k + (d - 1)
    const at = (k: number): number => prev[k + d - 1];
    const k = px - py;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (px > prevX && py > prevY) {
      px--;
      py--;
      out[px] = py;
    }
    px = prevX;
    py = prevY;
  }
  while (px > 0 && py > 0) {
    px--;
    py--;
    out[px] = py;
  }
  return out;
}
