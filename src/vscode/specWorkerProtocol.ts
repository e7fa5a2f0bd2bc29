// Messages between the extension host and the spec worker (src/specWorker.ts). No vscode import.
import type { Plan } from '../core/model';

export type SpecWorkerRequest =
  | { op: 'setSpec'; path: string; text: string }
  | { op: 'clearSpec'; expectedPath: string | null }
  | { op: 'setContract'; path: string; text: string }
  | { op: 'retainContracts'; paths: string[] }
  | { op: 'plan'; id: number };

export type SpecWorkerReply = { id: number; plan: Plan } | { id: number; error: string };
