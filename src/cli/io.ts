// What a CLI command may touch: its streams, the folder it runs in and the environment.
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (live summary lines are for people, not pipes). */
  isTty: boolean;
  /** Asks a question on the terminal and resolves with the answer; absent without a terminal. */
  ask?: (question: string) => Promise<string | null>;
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly reason = 'usage';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
