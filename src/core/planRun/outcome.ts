// What a plan run needs to know of a phase's Merge & Validate (infra's MergeResult has this shape).
import type { NotMergedCause } from '../merge/planMerge';
import type { ValidationResult } from '../validate/findings';

export interface MergeConflict {
  module: string;
  with: string[];
  file: string;
  startLine: number;
  endLine: number;
}

export interface MergeOutcome {
  integrationBranch: string;
  integrationCommit: string;
  merged: string[];
  /** Every module left out of the result, with its cause. */
  notMerged: { module: string; cause: NotMergedCause; reason: string }[];
  conflicts: MergeConflict[];
  validation: ValidationResult[];
  /** Every module merged and every validation step passed. */
  ok: boolean;
}
