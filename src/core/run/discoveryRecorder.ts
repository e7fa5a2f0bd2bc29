// Keeps what the agents of a phase report as discoveries: appends each new one to
// `.conductor/discoveries.jsonl` and regenerates DISCOVERIES.md from the whole log (the decisions are
// syncDiscoveries'; this only reads and writes). Writes run one after another; a failed write is
// noted, never fatal to the phase — the discovery stays in memory and in the next regeneration.
import { discoveriesFileFor, discoveryKey, discoveryLogLine, type Discovery } from '../discoveries/discovery';
import { syncDiscoveries } from '../discoveries/sync';
import type { Plan } from '../model';
import type { FilesPort } from '../ports';

export interface DiscoveryFiles {
  /** `.conductor/discoveries.jsonl` (absolute). */
  log: string;
  /** DISCOVERIES.md beside the plan (absolute). */
  markdown: string;
}

export class DiscoveryRecorder {
  private readonly known: Discovery[] = [];
  private readonly keys = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private readonly noted = new Set<string>();

  constructor(
    private readonly files: FilesPort,
    private readonly where: DiscoveryFiles,
    /** A phase's slug by its number (the plan's), for entries read back from DISCOVERIES.md. */
    private readonly slugOf: (phase: number) => string,
    private readonly note: (text: string) => void,
  ) {}

  /** Every discovery known, in the order recorded. */
  get all(): readonly Discovery[] {
    return this.known;
  }

  /** Reads the log and DISCOVERIES.md, and brings both up to date. */
  load(): Promise<void> {
    return this.enqueue(() => this.sync());
  }

  /** Takes a believed discovery; false when it was known already (a status file read again). */
  record(d: Discovery): boolean {
    if (this.keys.has(discoveryKey(d))) return false;
    this.remember([d]);
    void this.enqueue(async () => {
      await this.files.append(this.where.log, discoveryLogLine(d));
      await this.sync();
    });
    return true;
  }

  /** Resolves once every write asked for so far is done. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private async sync(): Promise<void> {
    const [log, markdown] = await Promise.all([this.files.read(this.where.log), this.files.read(this.where.markdown)]);
    const plan = syncDiscoveries(log, markdown, this.slugOf, this.known);
    for (const p of plan.problems) this.noteOnce(`${this.where.log} ${p}; the line is skipped.`);
    for (const d of plan.toAppend) await this.files.append(this.where.log, discoveryLogLine(d));
    this.remember(plan.entries);
    if (plan.foreign) {
      this.noteOnce(`${this.where.markdown} was not written by Spec Conductor: it is left as it is. The discoveries are in ${this.where.log}.`);
    }
    if (plan.markdown !== null) await this.files.write(this.where.markdown, plan.markdown);
  }

  private remember(entries: readonly Discovery[]): void {
    for (const d of entries) {
      const key = discoveryKey(d);
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.known.push(d);
    }
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((e: unknown) => this.noteOnce(`discoveries: ${(e as Error).message}`));
    return this.chain;
  }

  private noteOnce(text: string): void {
    if (this.noted.has(text)) return;
    this.noted.add(text);
    this.note(text);
  }
}

export interface PhaseDiscoveries {
  recorder: DiscoveryRecorder;
  /** DISCOVERIES.md as prompts name it: beside the plan, relative to the workspace. */
  label: string;
  /** Its path relative to the repository (null when outside it): the engine writes it, not an agent. */
  inRepository: string | null;
}

/** The recorder of a phase run, writing `logFile` and DISCOVERIES.md (by default beside the plan). */
export function phaseDiscoveries(
  plan: Plan,
  repoRoot: string,
  logFile: string,
  files: FilesPort,
  note: (text: string) => void,
  markdownFile?: string,
): PhaseDiscoveries {
  const root = repoRoot.replace(/\/+$/, '');
  const label = discoveriesFileFor(plan.spec);
  const markdown = markdownFile ?? `${root}/${label}`;
  const slugOf = (n: number): string => plan.phases.find((p) => p.number === n)?.slug ?? `phase-${n}`;
  return {
    recorder: new DiscoveryRecorder(files, { log: logFile, markdown }, slugOf, note),
    label,
    inRepository: markdown.startsWith(`${root}/`) ? markdown.slice(root.length + 1) : null,
  };
}
