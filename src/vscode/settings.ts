// Typed reads of the extension's settings; `onSettingsChanged` lets features apply changes without reload.
import * as vscode from 'vscode';
import { DEFAULT_CONTRACT_GLOBS } from '../core/spec/loadSpecFiles';
import { SETTING, SETTINGS_SECTION } from './ids';

export interface Settings {
  specFile: string;
  contractGlobs: readonly string[];
  agent: string;
  customCommand: string;
  /** 0: choose from the machine. */
  maxParallel: number;
  retries: number;
  /** Fix rounds per phase in Conduct Plan. */
  fixRounds: number;
  /** A dependent wave starts only once its dependencies' merged result passed the phase's checks. */
  validateWaves: boolean;
  /** Seconds without output or status before an agent is flagged (stopped after twice that); 0: never. */
  agentIdleTimeout: number;
  worktreeRoot: string;
  copyFiles: readonly string[];
  setupCommand: string;
  testCommands: readonly string[];
  predictConflicts: boolean;
  promptTemplate: string;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const list = (key: string, fallback: readonly string[]): readonly string[] => {
    const v = c.get<unknown>(key);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : fallback;
  };
  const globs = list(SETTING.contractGlobs, DEFAULT_CONTRACT_GLOBS);
  return {
    specFile: (c.get<string>(SETTING.specFile) ?? '').trim(),
    contractGlobs: globs.length > 0 ? globs : DEFAULT_CONTRACT_GLOBS,
    agent: c.get<string>(SETTING.agent) ?? 'claude',
    customCommand: (c.get<string>(SETTING.customCommand) ?? '').trim(),
    maxParallel: Math.max(0, Math.floor(c.get<number>(SETTING.maxParallel) ?? 0)),
    retries: Math.max(0, Math.floor(c.get<number>(SETTING.retries) ?? 1)),
    fixRounds: Math.max(0, Math.floor(c.get<number>(SETTING.fixRounds) ?? 2)),
    validateWaves: c.get<boolean>(SETTING.validateWaves) ?? false,
    agentIdleTimeout: Math.max(0, Math.floor(c.get<number>(SETTING.agentIdleTimeout) ?? 600)),
    worktreeRoot: (c.get<string>(SETTING.worktreeRoot) ?? '').trim(),
    copyFiles: list(SETTING.copyFiles, ['.env', '.env.local']),
    setupCommand: (c.get<string>(SETTING.setupCommand) ?? '').trim(),
    testCommands: list(SETTING.testCommands, []),
    predictConflicts: c.get<boolean>(SETTING.predictConflicts) ?? true,
    promptTemplate: (c.get<string>(SETTING.promptTemplate) ?? '').trim(),
  };
}

/** The agent as the engine takes it: a preset name, or the custom command line. */
export function agentSpec(s: Settings): string | null {
  if (s.agent === 'custom') return s.customCommand || null;
  return s.agent;
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SETTINGS_SECTION)) listener();
  });
}
