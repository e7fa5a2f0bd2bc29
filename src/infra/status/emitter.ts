// A minimal typed event emitter (src/infra cannot use vscode.EventEmitter). A throwing listener is
// reported to `onListenerError` and never stops delivery to the others.

export interface Subscription {
  dispose(): void;
}

export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  on(listener: (value: T) => void): Subscription {
    // Wrapped so that the same function can be subscribed twice and disposed independently.
    const entry = (value: T): void => listener(value);
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
