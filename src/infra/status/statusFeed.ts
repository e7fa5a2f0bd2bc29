// The StatusFeed port over the StatusWatcher: one central `.conductor/status` folder.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Problem } from '../../core/model';
import type { Disposable, StatusFeed } from '../../core/ports';
import type { StatusEvent } from '../../core/status/statusLine';
import { StatusWatcher } from './statusWatcher';

export class WatchedStatusFeed implements StatusFeed {
  private readonly watcher: StatusWatcher;

  constructor(private readonly conductorDir: string, rescanMs?: number) {
    this.watcher = new StatusWatcher({ root: conductorDir, rescanMs });
  }

  onEvent(listener: (event: StatusEvent) => void): Disposable {
    return this.watcher.onEvent(listener);
  }

  onProblem(listener: (problem: Problem) => void): Disposable {
    return this.watcher.onProblem(listener);
  }

  async start(): Promise<void> {
    // The watcher notices a missing folder only at its next rescan; make sure it is there.
    await fs.mkdir(path.join(this.conductorDir, 'status'), { recursive: true });
    await this.watcher.start();
  }

  dispose(): Promise<void> {
    return this.watcher.dispose();
  }
}
