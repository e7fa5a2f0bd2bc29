// Conducts phase 2 of the sample bookshop (four modules in three waves, a manual gate) with one real
// agent CLI against the scripted model, and returns what `conduct` and `status --json` say. Used by
// test/integration/agents-bookshop.test.ts, and by hand for figures:
// `node --import tsx test/support/bookshopRun.ts <claude|codex|gemini|qwen>`.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { git } from './gitRepo';
import { conductorBin } from './conductorBin';
import { pathWithRealAgents, type RealCli } from './realAgents';
import { prepareClaudeHome } from './agentHomes/claude';
import { prepareCodexHome } from './agentHomes/codex';
import { prepareGeminiHome } from './agentHomes/gemini';
import { prepareQwenHome } from './agentHomes/qwen';

const PREPARE: Record<RealCli, (home: string, url: string) => Promise<Record<string, string>>> = {
  claude: prepareClaudeHome,
  codex: prepareCodexHome,
  gemini: prepareGeminiHome,
  qwen: prepareQwenHome,
};

export interface BookshopRun {
  cli: RealCli;
  exit: number;
  seconds: number;
  requests: number;
  output: string;
  usage: Record<string, number> | null;
  modules: { id: string; state: string; attempts: number; lastSummary: string | null; branch: string }[];
  root: string;
  cleanup(): void;
}

export async function conductBookshop(cli: RealCli): Promise<BookshopRun> {
  const server = await import(path.join(__dirname, '../model-server/server.mjs'));
  const model = await server.startModelServer({ default: 'diligent' });
  const parent = mkdtempSync(path.join(tmpdir(), `bookshop-${cli}-`));
  const root = path.join(parent, 'bookshop');
  cpSync(path.join(__dirname, '../fixtures/bookshop'), root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'bookshop');
  const env = { ...(await PREPARE[cli](path.join(parent, 'home'), model.url)), PATH: pathWithRealAgents() };
  const started = Date.now();
  const r = await conductorBin(root, ['conduct', '2', '--agent', cli, '--approve'], env);
  const seconds = (Date.now() - started) / 1000;
  const status = JSON.parse((await conductorBin(root, ['status', '--json'], env)).stdout);
  const phase = status.phases.find((p: { number: number }) => p.number === 2);
  await model.close();
  return {
    cli,
    exit: r.code,
    seconds,
    requests: model.requests.length,
    output: r.stdout + r.stderr,
    usage: phase.usage,
    modules: phase.modules,
    root,
    cleanup: () => rmSync(parent, { recursive: true, force: true }),
  };
}

if (require.main === module) {
  const cli = process.argv[2] as RealCli;
  if (!(cli in PREPARE)) throw new Error('usage: bookshopRun.ts claude|codex|gemini|qwen');
  void conductBookshop(cli).then((r) => {
    console.log(JSON.stringify({ cli, exit: r.exit, seconds: r.seconds.toFixed(1), requests: r.requests, usage: r.usage, modules: r.modules.map((m) => [m.id, m.state, m.attempts, m.lastSummary]) }));
    r.cleanup();
  });
}
