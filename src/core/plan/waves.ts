// Dependency graphs: waves (Kahn's algorithm, stable in declaration order) and cycles (Tarjan's SCC).

/** Groups `ids` into waves: each wave holds the ids whose dependencies are all in earlier waves. Ids
 * caught in a cycle cannot be ordered; they form a last wave so they stay visible (the cycle is an error). */
export function computeWaves(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const known = new Set(ids);
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const inPhase = [...new Set(deps.get(id) ?? [])].filter((d) => known.has(d) && d !== id);
    remaining.set(id, inPhase.length);
    for (const d of inPhase) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  const waves: string[][] = [];
  let ready = ids.filter((id) => remaining.get(id) === 0);
  const placed = new Set<string>();
  while (ready.length > 0) {
    waves.push(ready);
    for (const id of ready) placed.add(id);
    const next = new Set<string>();
    for (const id of ready) {
      for (const dependent of dependents.get(id) ?? []) {
        const left = (remaining.get(dependent) ?? 0) - 1;
        remaining.set(dependent, left);
        if (left === 0) next.add(dependent);
      }
    }
    ready = ids.filter((id) => next.has(id));
  }
  const stuck = ids.filter((id) => !placed.has(id));
  if (stuck.length > 0) waves.push(stuck);
  return waves;
}

/** Strongly connected components that form cycles (size > 1, or a node that depends on itself). */
export function findCycles(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];

  // Iterative Tarjan: large generated plans must not overflow the call stack.
  for (const root of nodes) {
    if (indices.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    indices.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const out = edges.get(frame.node) ?? [];
      if (frame.next < out.length) {
        const to = out[frame.next++];
        if (!indices.has(to)) {
          indices.set(to, index);
          low.set(to, index++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, indices.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === indices.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (edges.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}

/** A path `start -> … -> start` inside one strongly connected component, for messages. */
export function cyclePath(start: string, component: ReadonlySet<string>, edges: ReadonlyMap<string, readonly string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>([start]);
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of edges.get(node) ?? []) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let n = node; n !== start; n = previous.get(n)!) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!seen.has(to)) {
        seen.add(to);
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
