// Progress lines of a running phase: one line per state change, and on a terminal a live summary
// line that is rewritten in place.
import type { Transition } from '../core/run/events';
import type { PhaseRun } from '../core/run/model';
import { plainText } from '../core/view/plainText';
import type { CliIo } from './io';

export function summaryLine(run: PhaseRun): string {
  const count = (...states: string[]): number => run.modules.filter((m) => states.includes(m.state)).length;
  const parts = [`${count('complete', 'complete-unverified')}/${run.modules.length} done`];
  const running = count('running');
  if (running) parts.push(`${running} running`);
  const waiting = count('needs-input');
  if (waiting) parts.push(`${waiting} waiting for input`);
  const failed = count('failed');
  if (failed) parts.push(`${failed} failed`);
  const blocked = count('blocked');
  if (blocked) parts.push(`${blocked} blocked`);
  return `Phase ${run.number} · ${parts.join(' · ')}`;
}

export class Progress {
  private live = false;

  constructor(private readonly io: CliIo, private readonly quiet: boolean) {}

  transition(t: Transition, run: PhaseRun): void {
    const m = run.modules.find((x) => x.id === t.module);
    const attempt = m && m.attempts > 1 ? ` (attempt ${m.attempts})` : '';
    const summary = t.summary && t.to !== 'running' ? ` — ${t.summary}` : '';
    this.print(`${clock()} ${t.module}: ${t.from} → ${t.to}${attempt}${summary}`);
    this.refresh(run);
  }

  note(text: string): void {
    this.print(`${clock()} ${text}`);
  }

  output(key: string, line: string): void {
    this.print(`[${key}] ${line}`);
  }

  refresh(run: PhaseRun): void {
    if (!this.io.isTty || this.quiet) return;
    this.io.stdout(`\r\x1b[2K${summaryLine(run)}`);
    this.live = true;
  }

  done(): void {
    if (this.live) this.io.stdout('\r\x1b[2K');
    this.live = false;
  }

  /** Every line here may carry agent text (output, summaries, status problems): printed as plain text. */
  private print(line: string): void {
    if (this.quiet) return;
    if (this.live) this.io.stdout('\r\x1b[2K');
    this.live = false;
    this.io.stdout(`${line.split('\n').map(plainText).join('\n')}\n`);
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}
