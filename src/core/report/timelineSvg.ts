// The timeline as a standalone SVG: phases, then waves, then a row per module with one bar per
// attempt, coloured by outcome (a fix-round attempt has a dashed outline), and a row per phase for
// its merge and validation. Deterministic — the same input gives the same bytes — and without
// scripts or style sheets, so it shows the same as an image, in a webview or in a Markdown preview.
import { formatDuration } from './reportMarkdown';
import { clip, escapeXml, px } from './svgText';
import type { Segment, Timeline, TimelineBar, TimelinePhase, TimelineRow } from './timeline';

export const OUTCOME_COLOURS = {
  complete: '#2f9e5b',
  failed: '#d64545',
  interrupted: '#e0a030',
  paused: '#9aa1ab',
  running: '#3b82f6',
} as const;
const INTEGRATION_COLOURS = { merge: '#7c3aed', validate: '#b197fc' } as const;
const TEXT = '#1f2937';
const MUTED = '#6b7280';
const GRID = '#e5e7eb';

const WIDTH = 1100;
const MARGIN = 16;
const LABEL_WIDTH = 210;
const PLOT_X = MARGIN + LABEL_WIDTH;
const PLOT_WIDTH = WIDTH - PLOT_X - MARGIN;
const ROW = 20;
const BAR = 12;
const BREAK = 28;
const MIN_BAR = 2;
const MIN_TICK_PX = 80;
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400].map((s) => s * 1000);
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

/** Time to x: each segment to scale, a fixed-width break between two. */
class Scale {
  private readonly perMs: number;
  private readonly x0: number[] = [];

  constructor(readonly segments: readonly Segment[]) {
    const total = segments.reduce((s, x) => s + (x.end - x.start), 0);
    const width = PLOT_WIDTH - BREAK * Math.max(0, segments.length - 1);
    this.perMs = total > 0 ? width / total : 0;
    let x = PLOT_X;
    for (const s of segments) {
      this.x0.push(x);
      x += (s.end - s.start) * this.perMs + BREAK;
    }
  }

  x(t: number): number {
    let i = 0;
    while (i + 1 < this.segments.length && this.segments[i + 1].start <= t) i++;
    return this.x0[i] + (Math.min(t, this.segments[i].end) - this.segments[i].start) * this.perMs;
  }

  /** Where the break after segment i is drawn. */
  breakAt(i: number): number {
    return this.x(this.segments[i].end);
  }

  tickStep(): number {
    return TICK_STEPS.find((s) => s * this.perMs >= MIN_TICK_PX) ?? TICK_STEPS[TICK_STEPS.length - 1];
  }
}

/** "0", "30 s", "5 min", "1 h 5 min": time since the first start. */
function since(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s === 0) return '0';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

/** "10:04:05 UTC" (with the date when the run spans days). */
function clock(t: number, withDate: boolean): string {
  const iso = new Date(t).toISOString();
  return `${withDate ? `${iso.slice(0, 10)} ` : ''}${iso.slice(11, 19)} UTC`;
}

const text = (x: number, y: number, content: string, attrs = ''): string => `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;

function legend(y: number): string[] {
  const items: [string, string][] = [...Object.entries(OUTCOME_COLOURS), ['merge', INTEGRATION_COLOURS.merge], ['validate', INTEGRATION_COLOURS.validate]];
  const out: string[] = ['<g class="legend">'];
  let x = PLOT_X;
  for (const [label, colour] of items) {
    out.push(`<rect class="swatch" x="${px(x)}" y="${px(y - 9)}" width="12" height="10" rx="2" fill="${colour}"/>`, text(x + 16, y, label, `font-size="11" fill="${TEXT}"`));
    x += 24 + label.length * 6.5;
  }
  out.push(`<rect class="swatch" x="${px(x)}" y="${px(y - 9)}" width="12" height="10" rx="2" fill="#ffffff" stroke="${TEXT}" stroke-width="1.5" stroke-dasharray="3 2"/>`, text(x + 16, y, 'fix round', `font-size="11" fill="${TEXT}"`), '</g>');
  return out;
}

function axis(scale: Scale, y: number, bottom: number, origin: number, withDate: boolean): string[] {
  const out: string[] = ['<g class="axis">'];
  const step = scale.tickStep();
  scale.segments.forEach((s, i) => {
    // Whole steps since the first start; a segment after a break also gets its own start.
    const ticks: number[] = i > 0 ? [s.start] : [];
    for (let k = Math.ceil((s.start - origin) / step); origin + k * step <= s.end; k++) {
      const t = origin + k * step;
      if (i === 0 || t - s.start >= step / 2) ticks.push(t);
    }
    for (const t of ticks) {
      const x = scale.x(t);
      out.push(`<line x1="${px(x)}" y1="${px(y + 4)}" x2="${px(x)}" y2="${px(bottom)}" stroke="${GRID}" stroke-width="1"/>`);
      // A label centred on the last tick would run off the right edge.
      const anchor = x > PLOT_X + PLOT_WIDTH - 30 ? 'end' : 'middle';
      out.push(text(x, y, since(t - origin), `font-size="10" fill="${MUTED}" text-anchor="${anchor}"`));
    }
    if (i < scale.segments.length - 1) {
      // The jump in the tick labels says how much was left out; the band says where.
      const gap = scale.segments[i + 1].start - s.end;
      out.push(
        `<rect class="break" x="${px(scale.breakAt(i) + 4)}" y="${px(y + 4)}" width="${BREAK - 8}" height="${px(bottom - y - 4)}" fill="#f3f4f6"><title>${escapeXml(`${formatDuration(gap)} without activity, left out`)}</title></rect>`,
      );
    }
  });
  out.push(text(MARGIN, y, `from ${clock(origin, withDate)}`, `font-size="10" fill="${MUTED}"`), '</g>');
  return out;
}

function attemptTitle(row: TimelineRow, b: TimelineBar, withDate: boolean): string {
  const kind = b.fix ? ' (fix round)' : '';
  const until = b.open ? 'still running' : `to ${clock(b.end, withDate)}`;
  return `${row.module} — attempt ${b.attempt}${kind}: ${b.outcome}, ${clock(b.start, withDate)} ${until} (${formatDuration(b.end - b.start)})`;
}

function moduleRow(row: TimelineRow, y: number, scale: Scale, withDate: boolean): string[] {
  const out = [`<g class="module" data-module="${escapeXml(row.module)}">`, text(MARGIN + 16, y + 14, clip(row.module, 30), `font-size="12" fill="${TEXT}"`)];
  if (row.bars.length === 0) out.push(text(PLOT_X + 4, y + 14, row.state, `font-size="11" font-style="italic" fill="${MUTED}"`));
  for (const b of row.bars) {
    const x = scale.x(b.start);
    const width = Math.max(MIN_BAR, scale.x(b.end) - x);
    const outline = b.fix ? ` stroke="${TEXT}" stroke-width="1.5" stroke-dasharray="3 2"` : '';
    const classes = ['attempt', b.outcome, ...(b.fix ? ['fix'] : []), ...(b.open ? ['open'] : [])].join(' ');
    out.push(
      `<rect class="${classes}" data-attempt="${b.attempt}" x="${px(x)}" y="${px(y + (ROW - BAR) / 2)}" width="${px(width)}" height="${BAR}" rx="2" fill="${OUTCOME_COLOURS[b.outcome]}"${outline}><title>${escapeXml(attemptTitle(row, b, withDate))}</title></rect>`,
    );
  }
  out.push('</g>');
  return out;
}

function phaseBlock(phase: TimelinePhase, y: number, scale: Scale, withDate: boolean): { lines: string[]; height: number } {
  const out = [`<g class="phase" data-phase="${phase.number}">`, `<line x1="${MARGIN}" y1="${px(y)}" x2="${WIDTH - MARGIN}" y2="${px(y)}" stroke="#d1d5db" stroke-width="1"/>`];
  out.push(text(MARGIN, y + 18, clip(`Phase ${phase.number}: ${phase.name}`, 120), `font-size="13" font-weight="600" fill="${TEXT}"`));
  let cy = y + 26;
  for (const w of phase.waves) {
    out.push(`<g class="wave" data-wave="${w.wave}">`, text(MARGIN + 4, cy + 12, `wave ${w.wave}`, `font-size="10" fill="${MUTED}"`));
    cy += 16;
    for (const row of w.rows) {
      out.push(...moduleRow(row, cy, scale, withDate));
      cy += ROW;
    }
    out.push('</g>');
  }
  out.push('<g class="integration">', text(MARGIN + 4, cy + 14, 'merge · validate', `font-size="11" fill="${MUTED}"`));
  if (phase.integration.length === 0) out.push(text(PLOT_X + 4, cy + 14, 'not merged yet', `font-size="11" font-style="italic" fill="${MUTED}"`));
  for (const s of phase.integration) {
    const x = scale.x(s.start);
    out.push(
      `<rect class="${s.kind}" x="${px(x)}" y="${px(cy + (ROW - BAR) / 2)}" width="${px(Math.max(MIN_BAR, scale.x(s.end) - x))}" height="${BAR}" rx="2" fill="${INTEGRATION_COLOURS[s.kind]}"><title>${escapeXml(`Phase ${phase.number}: ${s.kind === 'merge' ? 'merge' : 'validation'}, ${formatDuration(s.end - s.start)}`)}</title></rect>`,
    );
  }
  out.push('</g>', '</g>');
  return { lines: out, height: cy + ROW + 6 - y };
}

export function renderTimelineSvg(timeline: Timeline, title = 'Timeline'): string {
  const top = MARGIN + 18;
  const legendY = top + 22;
  const axisY = legendY + 24;
  const body: string[] = [];
  let y = axisY + 10;
  const scale = new Scale(timeline.segments);
  const origin = timeline.segments[0]?.start ?? 0;
  const withDate = timeline.segments.length > 0 && new Date(origin).toISOString().slice(0, 10) !== new Date(timeline.segments.at(-1)!.end).toISOString().slice(0, 10);
  if (timeline.phases.length === 0) {
    body.push(text(MARGIN, y + 18, 'Nothing has been conducted yet.', `font-size="12" fill="${MUTED}"`));
    y += 30;
  }
  for (const p of timeline.phases) {
    const block = phaseBlock(p, y, scale, withDate);
    body.push(...block.lines);
    y += block.height;
  }
  const height = y + MARGIN;
  const head = timeline.segments.length > 0 ? [...legend(legendY), ...axis(scale, axisY, y, origin, withDate)] : [];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${px(height)}" viewBox="0 0 ${WIDTH} ${px(height)}" ${FONT} role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect class="background" x="0" y="0" width="${WIDTH}" height="${px(height)}" fill="#ffffff"/>`,
    text(MARGIN, top, clip(title, 120), `font-size="15" font-weight="600" fill="${TEXT}"`),
    ...head,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
