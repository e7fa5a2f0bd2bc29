// Watching running agents beyond their status lines: the CLI's event stream (session, usage,
// denials, usage limits), agents gone quiet, and paused modules whose usage limit has reset. It
// turns what it sees into run events through its host, the phase runner.
import { streamParserFor, type AgentSignal } from '../agents/streams';
import type { AgentHandle } from '../ports';
import type { RunEvent } from './events';
import { IdleWatch, type IdleLimits } from './idleWatch';
import { LIVE_STATES, type PhaseRun } from './model';

export interface SupervisionHost {
  /** The run's record as it is now. */
  current(): PhaseRun;
  handle(module: string): AgentHandle | undefined;
  apply(event: RunEvent): Promise<void>;
  note(text: string): void;
  /** Wakes the runner's loop. */
  wake(): void;
  now(): Date;
}

export class Supervision {
  private readonly idle: IdleWatch;
  /** Modules stopped for being idle: their exit is a failure, not the user's stop. */
  private readonly idleStopped = new Set<string>();
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: SupervisionHost,
    private readonly agentLabel: string,
    limits: IdleLimits,
  ) {
    this.idle = new IdleWatch(limits);
  }

  /** A status line or a start: the agent is alive. */
  active(module: string): void {
    this.idle.active(module, this.nowMs());
  }

  /** Follows a started agent's output (headless presets); returns what to dispose when it exits. */
  follow(module: string, attempt: number, handle: AgentHandle, agent: string = this.agentLabel): { dispose(): void } {
    this.active(module);
    if (!handle.onOutput) return { dispose: () => this.idle.forget(module) };
    // The module's own agent (the plan may choose one) picks the parser of its event stream.
    const parser = streamParserFor(agent);
    const output = handle.onOutput((line) => {
      this.active(module);
      for (const signal of parser?.line(line) ?? []) void this.onSignal(module, attempt, signal, handle);
    });
    return {
      dispose: () => {
        output.dispose();
        this.idle.forget(module);
      },
    };
  }

  /** True once for a module whose agent this watch stopped for idleness. */
  takeIdleStop(module: string): boolean {
    return this.idleStopped.delete(module);
  }

  /** Flags quiet agents, stops those quiet too long (only where the engine sees their output). */
  async checkIdle(): Promise<void> {
    const live = this.host.current().modules.filter((m) => LIVE_STATES.has(m.state) && this.host.handle(m.id));
    const actions = this.idle.tick(
      live.map((m) => ({ module: m.id, stoppable: Boolean(this.host.handle(m.id)?.onOutput) && m.state === 'running' })),
      this.nowMs(),
    );
    for (const a of actions) {
      const secs = Math.round(a.quietMs / 1000);
      if (a.type === 'flag') {
        this.host.note(`${a.module}: no output and no status line for ${secs} s; is its agent stuck?`);
        await this.host.apply({ type: 'annotated', module: a.module, text: `idle for ${secs} s`, at: this.nowIso() });
      } else {
        this.host.note(`${a.module}: stopping its agent, idle for ${secs} s.`);
        await this.host.apply({ type: 'annotated', module: a.module, text: `stopped after ${secs} s with no output and no status line`, at: this.nowIso() });
        this.idleStopped.add(a.module);
        await this.host.handle(a.module)?.stop();
      }
    }
  }

  /** Paused modules whose reset time has come start again; a timer wakes the loop for the next one. */
  async resumeDue(stopping: boolean): Promise<void> {
    clearTimeout(this.resumeTimer);
    const now = this.nowMs();
    let next = Infinity;
    for (const m of this.host.current().modules) {
      if (m.state !== 'paused' || !m.resumeAt) continue;
      const at = Date.parse(m.resumeAt);
      if (Number.isNaN(at) || at <= now) {
        this.host.note(`${m.id}: its usage limit has reset; starting it again.`);
        await this.host.apply({ type: 'resume', module: m.id, at: this.nowIso() });
      } else next = Math.min(next, at);
    }
    if (next !== Infinity && !stopping) this.resumeTimer = setTimeout(() => this.host.wake(), Math.min(next - now + 50, 2 ** 31 - 1));
  }

  dispose(): void {
    clearTimeout(this.resumeTimer);
  }

  private async onSignal(module: string, attempt: number, signal: AgentSignal, handle: AgentHandle): Promise<void> {
    if (signal.kind === 'denied') this.host.note(`${module}: the agent tried to run \`${signal.command}\` and was denied.`);
    if (signal.kind === 'error') this.host.note(`${module}: ${signal.message}`);
    await this.host.apply({ type: 'signal', module, attempt, signal, at: this.nowIso() });
    const m = this.host.current().modules.find((x) => x.id === module);
    if (signal.kind === 'usage-limit' && m?.state === 'paused' && m.attempts === attempt) {
      this.host.note(`${module}: paused by a usage limit${signal.resetAt ? ` until ${signal.resetAt}` : ''}; no new agents start until then.`);
      // The CLI would only keep retrying against the limit.
      await handle.stop();
    }
  }

  private nowMs(): number {
    return this.host.now().getTime();
  }

  private nowIso(): string {
    return this.host.now().toISOString();
  }
}
