// The spec parser in a worker thread (dist/specWorker.js): the extension host's main thread sends
// file texts and asks for plans; the parsers (and yaml) load and run only here.
import { parentPort } from 'node:worker_threads';
import { SpecWorkspace } from './core/specWorkspace';
import type { SpecWorkerRequest, SpecWorkerReply } from './vscode/specWorkerProtocol';

const workspace = new SpecWorkspace();

parentPort?.on('message', (m: SpecWorkerRequest) => {
  switch (m.op) {
    case 'setSpec':
      workspace.setSpec(m.path, m.text);
      break;
    case 'clearSpec':
      workspace.clearSpec(m.expectedPath);
      break;
    case 'setContract':
      workspace.setContract(m.path, m.text);
      break;
    case 'retainContracts':
      workspace.retainContracts(m.paths);
      break;
    case 'plan': {
      let reply: SpecWorkerReply;
      try {
        reply = { id: m.id, plan: workspace.plan() };
      } catch (e) {
        reply = { id: m.id, error: (e as Error).stack ?? String(e) };
      }
      parentPort?.postMessage(reply);
      break;
    }
  }
});
