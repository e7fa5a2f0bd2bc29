// A SpecModel whose parsing happens in a worker thread, so a large READY.md never blocks the
// extension host. Messages are handled in order, so a plan reflects every text sent before it.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Plan } from '../core/model';
import type { SpecModel } from '../core/specModel';
import type { SpecWorkerReply, SpecWorkerRequest } from './specWorkerProtocol';

export class WorkerSpecModel implements SpecModel {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (p: Plan) => void; reject: (e: Error) => void }>();

  constructor(private readonly distDir: string) {}

  setSpec(p: string, text: string): void {
    this.post({ op: 'setSpec', path: p, text });
  }

  clearSpec(expectedPath: string | null): void {
    this.post({ op: 'clearSpec', expectedPath });
  }

  setContract(p: string, text: string): void {
    this.post({ op: 'setContract', path: p, text });
  }

  retainContracts(paths: Iterable<string>): void {
    this.post({ op: 'retainContracts', paths: [...paths] });
  }

  plan(): Promise<Plan> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ op: 'plan', id });
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error('the spec worker was stopped'));
    this.pending.clear();
  }

  private post(m: SpecWorkerRequest): void {
    this.ensureWorker().postMessage(m);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(this.distDir, 'specWorker.js'));
    worker.on('message', (r: SpecWorkerReply) => {
      const waiter = this.pending.get(r.id);
      if (!waiter) return;
      this.pending.delete(r.id);
      if ('plan' in r) waiter.resolve(r.plan);
      else waiter.reject(new Error(r.error));
    });
    worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = null; // the next message starts a fresh worker (texts are resent on reload)
    });
    this.worker = worker;
    return worker;
  }
}
