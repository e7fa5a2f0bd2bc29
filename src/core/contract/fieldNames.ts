// The names a contract field may be written under, in YAML keys and markdown headers alike.
import type { ContractField } from '../model';

export type ContractKey = ContractField | 'owns' | 'phase' | 'module';

const ALIASES: Readonly<Record<string, ContractKey>> = {
  feature_id: 'feature_id',
  featureid: 'feature_id',
  feature: 'feature_id',
  provides: 'provides',
  depends_on: 'depends_on',
  dependson: 'depends_on',
  dependencies: 'depends_on',
  acceptance_criteria: 'acceptance_criteria',
  acceptancecriteria: 'acceptance_criteria',
  owns: 'owns',
  phase: 'phase',
  module: 'module',
};

/** The label as written, reduced to a comparable form: `**Feature ID:**` -> `feature_id`. */
export function normalizeLabel(label: string): string {
  return label
    .replace(/`|\*\*|__|["'‘’“”]/g, '')
    .trim()
    .replace(/:$/, '')
    .trim()
    .replace(/^\d{1,9}[.)]\s+/, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** The contract field a label names, or null. */
export function contractKey(label: string): ContractKey | null {
  const normalized = normalizeLabel(label);
  return Object.hasOwn(ALIASES, normalized) ? ALIASES[normalized] : null;
}

/** Values that mean "this list is deliberately empty". */
export function isNoneMarker(text: string): boolean {
  const t = text.replace(/[`*_"']/g, '').trim().replace(/\.$/, '').toLowerCase();
  return t === 'none' || t === '-' || t === 'n/a' || t === '[]' || t === 'nothing' || t === '';
}
