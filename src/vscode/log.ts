// One LogOutputChannel; errors the user caused get a message with "Show Logs", background noise
// goes only to the log.
import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from './ids';

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}

export async function showError(log: Log, message: string, error?: unknown): Promise<void> {
  log.error(message, ...(error === undefined ? [] : [error]));
  const choice = await vscode.window.showErrorMessage(message, 'Show Logs');
  if (choice === 'Show Logs') log.show(true);
}
