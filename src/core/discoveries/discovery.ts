// What agents learned while they worked (`conductor-hook discovery`) and where they found the spec
// wrong (`conductor-hook spec-correction`), as the engine keeps it: one JSON line per discovery in
// `.conductor/discoveries.jsonl`, appended and never rewritten. The log is read whole; a line that is
// not a discovery is skipped, and one seen twice (a status file read again on resume) counts once.
import { moduleNameError } from '../names';
import { DISCOVERY_KINDS, type DiscoveryKind, type StatusEvent } from '../status/statusLine';

export interface Discovery {
  /** The phase's number in the plan. */
  phase: number;
  phaseSlug: string;
  phaseName: string;
  module: string;
  kind: DiscoveryKind;
  /** When the agent reported it (ISO). */
  at: string;
  /** The agent's text, as written (at most MAX_DISCOVERY_CHARS); untrusted: shown only as plain text. */
  text: string;
  attempt: number | null;
  runId: string | null;
}

/** The longest text kept of one discovery; a longer one is cut, saying so. */
export const MAX_DISCOVERY_CHARS = 4000;

const CUT = ' … (cut: longer than the 4000 characters kept)';

export const DISCOVERY_KIND_LABEL: Record<DiscoveryKind, string> = {
  discovery: 'Discovery',
  'spec-correction': 'Spec correction',
};

/** The discovery a believed status line of the given phase reports. */
export function discoveryOf(e: StatusEvent & { status: DiscoveryKind }, phase: { number: number; slug: string; name: string }, runId: string): Discovery {
  const text = e.summary.trim();
  return {
    phase: phase.number,
    phaseSlug: phase.slug,
    phaseName: phase.name,
    module: e.module,
    kind: e.status,
    at: new Date(e.ts).toISOString(),
    text: text.length > MAX_DISCOVERY_CHARS ? `${text.slice(0, MAX_DISCOVERY_CHARS - CUT.length)}${CUT}` : text,
    attempt: e.attempt,
    runId: e.runId ?? runId,
  };
}

/**
 * Two reports of one discovery have the same key: phase, module, kind, time (to the millisecond) and
 * text. The attempt and run are left out, so an entry read back from DISCOVERIES.md (which does not
 * show them) matches its line in the log.
 */
export function discoveryKey(d: Pick<Discovery, 'phase' | 'module' | 'kind' | 'at' | 'text'>): string {
  return JSON.stringify([d.phase, d.module, d.kind, d.at, d.text]);
}

export function discoveryLogLine(d: Discovery): string {
  return `${JSON.stringify(d)}\n`;
}

export interface DiscoveryLog {
  /** In the order they were recorded, each once. */
  entries: Discovery[];
  /** Lines that are not discoveries, as `line N: why`. */
  problems: string[];
}

export function parseDiscoveryLog(text: string | null): DiscoveryLog {
  const entries: Discovery[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  (text ?? '').split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
      return;
    }
    const d = asDiscovery(value);
    if (typeof d === 'string') {
      problems.push(`line ${i + 1}: ${d}`);
      return;
    }
    const key = discoveryKey(d);
    if (seen.has(key)) return;
    seen.add(key);
    entries.push(d);
  });
  return { entries, problems };
}

/** A well-formed discovery, or what is wrong with the value. */
function asDiscovery(value: unknown): Discovery | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  const str = (k: string): boolean => typeof o[k] === 'string';
  const optional = (k: string, ok: (v: unknown) => boolean): boolean => o[k] === undefined || o[k] === null || ok(o[k]);
  if (!(typeof o.phase === 'number' && Number.isSafeInteger(o.phase) && o.phase >= 0)) return '"phase" must be a phase number';
  for (const k of ['phaseSlug', 'phaseName', 'module', 'at', 'text']) if (!str(k)) return `"${k}" must be a string`;
  const nameError = moduleNameError(o.module as string);
  if (nameError) return `"module" is not a module name: ${nameError}`;
  if (!(DISCOVERY_KINDS as readonly unknown[]).includes(o.kind)) return `"kind" must be one of ${DISCOVERY_KINDS.join(', ')}`;
  const at = Date.parse(o.at as string);
  if (Number.isNaN(at)) return '"at" must be an ISO time';
  if (!optional('attempt', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) return '"attempt" must be a positive whole number';
  if (!optional('runId', (v) => typeof v === 'string')) return '"runId" must be a string';
  return {
    phase: o.phase,
    phaseSlug: o.phaseSlug as string,
    phaseName: o.phaseName as string,
    module: o.module as string,
    kind: o.kind as DiscoveryKind,
    // Written back as the engine writes it, whatever the line said: it is shown in headings.
    at: new Date(at).toISOString(),
    text: o.text as string,
    attempt: (o.attempt as number | null | undefined) ?? null,
    runId: (o.runId as string | null | undefined) ?? null,
  };
}

/** The discoveries of one phase, in the order they were recorded. */
export function discoveriesOfPhase(entries: readonly Discovery[], phase: number): Discovery[] {
  return entries.filter((d) => d.phase === phase);
}

/** `DISCOVERIES.md` beside the plan file (both relative to the workspace, with forward slashes). */
export function discoveriesFileFor(specFile: string): string {
  const slash = specFile.lastIndexOf('/');
  return slash < 0 ? 'DISCOVERIES.md' : `${specFile.slice(0, slash)}/DISCOVERIES.md`;
}
