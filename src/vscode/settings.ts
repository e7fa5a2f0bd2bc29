// Typed reads of the extension's settings; `onDidChange` lets features apply changes without reload.
import * as vscode from 'vscode';
import { DEFAULT_CONTRACT_GLOBS } from '../core/loadPlan';
import { SETTING, SETTINGS_SECTION } from './ids';

export interface Settings {
  specFile: string;
  contractGlobs: readonly string[];
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const globs = c.get<string[]>(SETTING.contractGlobs);
  return {
    specFile: (c.get<string>(SETTING.specFile) ?? '').trim(),
    contractGlobs: Array.isArray(globs) && globs.length > 0 ? globs : DEFAULT_CONTRACT_GLOBS,
  };
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SETTINGS_SECTION)) listener();
  });
}
