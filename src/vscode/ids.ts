// The one typed source of command ids, view ids and setting keys; test/unit/manifest.test.ts checks
// it against package.json. No vscode import here, so tests can read it.

export const COMMAND = {
  validateSpecs: 'specConductor.validateSpecs',
  showLogs: 'specConductor.showLogs',
} as const;

export const SETTINGS_SECTION = 'specConductor';

/** Setting keys below `specConductor.` */
export const SETTING = {
  specFile: 'specFile',
  contractGlobs: 'contractGlobs',
} as const;

export const DIAGNOSTIC_SOURCE = 'Spec Conductor';
export const LOG_CHANNEL_NAME = 'Spec Conductor';
