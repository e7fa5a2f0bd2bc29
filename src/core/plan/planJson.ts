// The stable JSON shape of a plan (`conductor plan --json`), documented in the README.
import type { Plan, Problem } from '../model';

export interface PlanJson {
  spec: string;
  phases: {
    number: number;
    name: string;
    slug: string;
    line: number;
    gate: 'manual' | null;
    dependsOn: number[];
    goals: string[];
    successCriteria: string[];
    gotchas: string[];
    expectedFiles: string[];
    testCommands: string[];
    lintCommands: string[];
    checkCommands: string[];
    modules: {
      id: string;
      contract: string | null;
      featureId: string | null;
      dependsOn: string[];
      line: number;
      goals: string[];
      /** tasks.csv's per-module choices; null or [] when the plan makes none (READY.md never does). */
      agent: string | null;
      maxTurns: number | null;
      contextPath: string | null;
      tags: string[];
    }[];
    waves: string[][];
  }[];
  problems: ProblemJson[];
}

export type ProblemJson = Pick<Problem, 'file' | 'line' | 'column' | 'severity' | 'code' | 'message'>;

export function problemJson(p: Problem): ProblemJson {
  return { file: p.file, line: p.line, column: p.column, severity: p.severity, code: p.code, message: p.message };
}

export function planJson(plan: Plan): PlanJson {
  const values = (xs: { value: string }[]): string[] => xs.map((x) => x.value);
  return {
    spec: plan.spec,
    phases: plan.phases.map((p) => ({
      number: p.number,
      name: p.name,
      slug: p.slug,
      line: p.line,
      gate: p.gate,
      dependsOn: p.dependsOn,
      goals: values(p.goals),
      successCriteria: values(p.successCriteria),
      gotchas: values(p.gotchas),
      expectedFiles: values(p.expectedFiles),
      testCommands: values(p.testCommands),
      lintCommands: values(p.lintCommands),
      checkCommands: values(p.checkCommands),
      modules: p.modules.map((m) => ({
        id: m.id,
        contract: m.contract?.file ?? null,
        featureId: m.featureId,
        dependsOn: m.dependsOn,
        line: m.line,
        goals: values(m.goals),
        agent: m.agent?.value ?? null,
        maxTurns: m.maxTurns?.value ?? null,
        contextPath: m.contextPath?.value ?? null,
        tags: values(m.tags ?? []),
      })),
      waves: p.waves,
    })),
    problems: plan.problems.map(problemJson),
  };
}

/** `file:line:column: severity code: message` — the shape editors and CI annotators read. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`;
}
