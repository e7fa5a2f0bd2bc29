// Tells at once when `.conductor/state.json` is replaced, by a plain fs.watch on its folder (the file
// is renamed into place, so the folder is what sees it). The editor's own file watcher reports the
// same change some 75–150 ms later; this one reports within milliseconds. It can only watch a
// folder that exists: `attach()` again when the folder may have appeared (it is a no-op while
// watching); a folder that goes away detaches it.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

export class StateFileWatcher {
  private watcher: FSWatcher | null = null;
  private disposed = false;

  constructor(
    private readonly stateFile: string,
    private readonly onChange: () => void,
  ) {}

  /** True while the folder is watched. */
  get attached(): boolean {
    return this.watcher !== null;
  }

  /** Starts watching the state file's folder if it exists and is not watched yet; true when watching. */
  attach(): boolean {
    if (this.watcher || this.disposed) return this.watcher !== null;
    const name = path.basename(this.stateFile);
    const folder = path.dirname(this.stateFile);
    try {
      const watcher = watch(folder, { persistent: false }, (_event, file) => {
        // A removed folder ends the watch without an error on some platforms: notice it here.
        if (!existsSync(folder)) this.detach();
        // Some platforms do not name the file; then any change in the folder may be it.
        if (file === null || String(file) === name) this.onChange();
      });
      watcher.on('error', () => this.detach());
      this.watcher = watcher;
    } catch {
      // No folder yet (nothing conducted): the caller attaches again later.
    }
    return this.watcher !== null;
  }

  private detach(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
  }
}
