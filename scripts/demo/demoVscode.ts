// `npm run demo:vscode`: the sample bookshop of `npm run demo`, opened in VS Code in the browser
// (code-server on 127.0.0.1, no password) with the freshly packaged Spec Conductor installed and the
// demo agent configured, so "Conductor: Conduct Phase" runs four agents without any AI CLI. Runs
// until Ctrl-C, then stops code-server and removes the sample. Needs `bash test/e2e/install.sh` once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { installVsix, startCodeServer, type CodeServer } from '../../test/e2e/codeServer';
import { findTools, VSIX } from '../../test/e2e/tools';
import { createSample } from './demo';

const AGENT = path.join(__dirname, 'demo-agent.mjs');

/** Quiet: no welcome page, tips, telemetry, update checks or AI features of VS Code's own. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
};
/** The agent; customCommand is a machine setting, which code-server reads from its Machine settings. */
const AGENT_SETTINGS = { 'specConductor.agent': 'custom', 'specConductor.customCommand': `node ${AGENT}` };

async function main(): Promise<void> {
  const tools = findTools();
  const parent = mkdtempSync(path.join(tmpdir(), 'spec-conductor-demo-vscode-'));
  const removeParent = (): void => rmSync(parent, { recursive: true, force: true });
  process.on('exit', removeParent);
  const root = createSample(parent);
  const serverDir = path.join(parent, 'code-server');
  const dirs = { userDataDir: path.join(serverDir, 'user'), extensionsDir: path.join(serverDir, 'extensions'), configFile: path.join(serverDir, 'config.yaml') };
  for (const [folder, settings] of [['User', { ...USER_SETTINGS, ...AGENT_SETTINGS }], ['Machine', AGENT_SETTINGS]] as const) {
    mkdirSync(path.join(dirs.userDataDir, folder), { recursive: true });
    writeFileSync(path.join(dirs.userDataDir, folder, 'settings.json'), JSON.stringify(settings, null, 2));
  }
  mkdirSync(dirs.extensionsDir);
  const logFile = path.join(serverDir, 'code-server.log');
  writeFileSync(logFile, '');

  await installVsix(tools, dirs, VSIX, logFile);
  const server = await startCodeServer(tools, { dirs, folder: root, trust: true, env: {}, logFile, idleTimeoutSeconds: null, exitOnSignals: false });
  const stopping = stopOnSignals(server);
  console.log(`
Spec Conductor in VS Code (code-server), on the sample bookshop — open:

  ${server.url}/?folder=${encodeURIComponent(root)}

The demo agent is configured. In the Spec Conductor view (activity bar), or with F1 →
"Conductor: Conduct Phase", conduct the phase; then "Conductor: Merge & Validate Phase".
Sample: ${root} (worktrees in ${root}.worktrees)
code-server log: ${logFile}
Ctrl-C stops code-server and removes the sample.`);
  await server.exited;
  if (stopping.requested) return;
  console.error(`code-server exited; its log:\n${logFile}`);
  process.exitCode = 1;
}

/** Ctrl-C: a graceful stop (the extension host stops its agents), then the exit handler removes the sample. */
function stopOnSignals(server: CodeServer): { readonly requested: boolean } {
  const state = { requested: false };
  const stop = (): void => {
    if (state.requested) return;
    state.requested = true;
    console.log('\nStopping code-server…');
    void server.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return state;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
