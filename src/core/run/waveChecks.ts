// The thin runner of `--validate-waves` inside a phase run: holds back the starts gateStarts() says
// wait, runs the checks it asks for in the background, and feeds each outcome back — the record, and
// a fix attempt for every dependency judgeWaveCheck() sends back.
import type { PlannedPhase } from '../model';
import type { WaveCheckPort } from '../ports';
import type { Action } from './decide';
import type { RunEvent } from './events';
import type { PhaseRun } from './model';
import { gateStarts, judgeWaveCheck, unrunWaveCheck, withWaveCheck, type WaveCheckRequest } from './waveGate';

export interface WaveCheckHost {
  current(): PhaseRun;
  /** Replaces the record (and saves it). */
  replace(run: PhaseRun): Promise<void>;
  apply(event: RunEvent): Promise<void>;
  note(text: string): void;
  /** Something changed: decide() again. */
  wake(): void;
  now(): string;
}

export interface WaveCheckSettings {
  /** Fix attempts a dependency set gets before the modules waiting on it are blocked (`--fix-rounds`). */
  fixRounds: number;
  /** Retries of a fix attempt, as for any attempt. */
  retries: number;
}

export class WaveChecks {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly phase: PlannedPhase,
    private readonly port: WaveCheckPort,
    private readonly host: WaveCheckHost,
    private readonly settings: WaveCheckSettings,
  ) {}

  /** The actions to carry out now; checks the held-back starts wait for begin in the background. */
  gate(actions: readonly Action[]): Action[] {
    const gated = gateStarts(this.host.current(), actions, new Set(this.running.keys()));
    for (const request of gated.checks) {
      const check = this.check(request).finally(() => {
        this.running.delete(request.key);
        this.host.wake();
      });
      this.running.set(request.key, check);
    }
    return gated.actions;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Waits for the checks under way, then removes the scratch worktree. */
  async dispose(): Promise<void> {
    await Promise.all(this.running.values());
    await this.port.dispose(this.host.current()).catch((e: unknown) => this.host.note(`could not remove the wave check's worktree: ${(e as Error).message}`));
  }

  private async check(request: WaveCheckRequest): Promise<void> {
    const names = request.deps.join(', ');
    this.host.note(`Checking the merged result of ${names} before the modules that build on it start (--validate-waves).`);
    let outcome;
    try {
      outcome = await this.port.check(this.phase, this.host.current(), request.deps);
    } catch (e) {
      const record = unrunWaveCheck(request, (e as Error).message, this.host.now());
      this.host.note(`The check of ${names} ${record.summary}.`);
      await this.host.replace(withWaveCheck(this.host.current(), record));
      return;
    }
    const { record, fixes } = judgeWaveCheck(this.host.current(), request, outcome, this.settings.fixRounds, this.host.now());
    this.host.note(record.passed ? `The merged result of ${names} passed the phase's checks.` : `The merged result of ${names} failed the phase's checks: ${record.summary}.`);
    await this.host.replace(withWaveCheck(this.host.current(), record));
    for (const fix of fixes) {
      await this.host.apply({ type: 'fix', module: fix.module, findings: fix.findings, retries: this.settings.retries, at: this.host.now() });
    }
  }
}
