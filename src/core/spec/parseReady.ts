// READY.md -> phases. The section scan and the block scan of each phase body are linear; a body's
// result is cached by its text, so re-planning after an edit re-scans only the phase that changed.
import type { Located, ModuleSpec, PhaseSpec, Problem, SpecDocument } from '../model';
import { moduleNameError, phaseSlug, slugify } from '../names';
import { interpretPhaseBody, type PhaseBody } from './phaseBody';
import type { Block } from './blocks';
import { scanBlocks } from './blockScan';
import { scanSections, type Heading } from './sections';

const PHASE_HEADING = /^\W*phase\s+(\d+)\s*(?::|-|—|–|\.)\s*(.*?)\s*$/i;

export interface ReadyParserOptions {
  /** How many distinct phase bodies to keep parsed. */
  cacheSize?: number;
  /** Reads a phase body's blocks (tests compare the scanner against remark through this). */
  blocks?: (body: string) => Block[];
}

export class ReadyParser {
  private readonly cache = new Map<string, PhaseBody>();
  private readonly cacheSize: number;
  private readonly blocks: (body: string) => Block[];

  constructor(options: ReadyParserOptions = {}) {
    this.cacheSize = options.cacheSize ?? 2000;
    this.blocks = options.blocks ?? scanBlocks;
  }

  parse(file: string, text: string): SpecDocument {
    const scan = scanSections(text);
    const problems: Problem[] = [];
    const doc: SpecDocument = { file, kind: 'ready', phases: [], problems };
    if (!scan.phasesHeading) {
      problems.push({
        file,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'no-phases',
        message: 'No "## Implementation Phases" section: add one, with a "### Phase 1: Name" heading per phase.',
      });
      return doc;
    }
    for (const stray of scan.strayHeadings) {
      problems.push({
        file,
        line: stray.line,
        column: stray.column,
        severity: 'warning',
        code: 'not-a-phase',
        message: `"${stray.text}" is inside the phases section but is not a "### Phase N: Name" heading; its content is ignored.`,
      });
    }
    const seen = new Map<number, number>();
    for (const section of scan.sections) {
      const heading = parseHeading(section.heading);
      if (!heading) {
        problems.push({
          file,
          line: section.heading.line,
          column: section.heading.column,
          severity: 'error',
          code: 'malformed-phase-heading',
          message: `"${section.heading.text}" is not a phase heading: write "### Phase <number>: <name>".`,
        });
        continue;
      }
      const previous = seen.get(heading.number);
      if (previous !== undefined) {
        problems.push({
          file,
          line: section.heading.line,
          column: section.heading.column,
          severity: 'error',
          code: 'duplicate-phase',
          message: `Phase ${heading.number} is defined twice (first at line ${previous}); this one is ignored.`,
        });
        continue;
      }
      seen.set(heading.number, section.heading.line);
      const body = shiftBody(this.body(section.body), section.bodyLine - 1);
      doc.phases.push(this.toPhase(file, section.heading, heading, body, problems));
    }
    if (doc.phases.length === 0 && !problems.some((p) => p.severity === 'error')) {
      problems.push({
        file,
        line: scan.phasesHeading.line,
        column: scan.phasesHeading.column,
        severity: 'error',
        code: 'no-phases',
        message: 'The phases section has no "### Phase N: Name" headings.',
      });
    }
    return doc;
  }

  private body(source: string): PhaseBody {
    const hit = this.cache.get(source);
    if (hit) {
      // Refresh its place in the LRU order.
      this.cache.delete(source);
      this.cache.set(source, hit);
      return hit;
    }
    const parsed = interpretPhaseBody(this.blocks(source));
    this.cache.set(source, parsed);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return parsed;
  }

  private toPhase(
    file: string,
    h: Heading,
    heading: { number: number; name: string },
    body: PhaseBody,
    problems: Problem[],
  ): PhaseSpec {
    for (const { firstAt, ...p } of body.problems) {
      problems.push({ file, ...p, message: firstAt ? `${p.message} (first at line ${firstAt.line}, column ${firstAt.column}).` : p.message });
    }
    const modules: ModuleSpec[] = [];
    for (const m of body.modules) {
      const error = moduleNameError(m.id.value);
      if (error) {
        const suggestion = slugify(m.id.value);
        problems.push({
          file,
          line: m.id.line,
          column: m.id.column,
          endLine: m.id.line,
          endColumn: m.id.column + m.id.value.length,
          severity: 'error',
          code: 'invalid-module-name',
          message: `Module name "${m.id.value}" is not usable: ${error}.${suggestion ? ` Try "${suggestion}".` : ''}`,
          ...(suggestion ? { data: { suggestion } } : {}),
        });
      }
      modules.push({ id: m.id.value, line: m.id.line, column: m.id.column, implicit: false, goals: m.goals, meta: {}, expectedFiles: [] });
    }
    if (modules.length === 0) {
      modules.push({
        id: slugify(heading.name) || `phase-${heading.number}`,
        line: h.line,
        column: h.column,
        implicit: true,
        goals: [],
        meta: {},
        expectedFiles: [],
      });
    }
    return {
      number: heading.number,
      name: heading.name,
      slug: phaseSlug(heading.number, heading.name),
      line: h.line,
      column: h.column,
      gate: body.gate,
      dependsOn: body.dependsOn,
      goals: body.goals,
      successCriteria: body.successCriteria,
      gotchas: body.gotchas,
      expectedFiles: body.expectedFiles,
      testCommands: body.testCommands,
      lintCommands: body.lintCommands,
      checkCommands: body.checkCommands,
      modules,
    };
  }
}

function parseHeading(h: Heading): { number: number; name: string } | null {
  const m = PHASE_HEADING.exec(h.text.replace(/\*\*|__/g, ''));
  if (!m || !m[2]) return null;
  const number = Number(m[1]);
  if (!Number.isSafeInteger(number)) return null;
  return { number, name: m[2].trim() };
}

function shiftBody(body: PhaseBody, by: number): PhaseBody {
  if (by === 0) return body;
  const s = <T extends { line: number }>(x: T): T => ({ ...x, line: x.line + by });
  const all = (xs: Located[]): Located[] => xs.map(s);
  return {
    goals: all(body.goals),
    successCriteria: all(body.successCriteria),
    gotchas: all(body.gotchas),
    expectedFiles: all(body.expectedFiles),
    testCommands: all(body.testCommands),
    lintCommands: all(body.lintCommands),
    checkCommands: all(body.checkCommands),
    modules: body.modules.map((m) => ({ id: s(m.id), goals: all(m.goals) })),
    dependsOn: body.dependsOn ? body.dependsOn.map(s) : null,
    gate: body.gate,
    problems: body.problems.map((p) => ({
      ...s(p),
      ...(p.endLine !== undefined ? { endLine: p.endLine + by } : {}),
      ...(p.firstAt ? { firstAt: s(p.firstAt) } : {}),
    })),
  };
}
