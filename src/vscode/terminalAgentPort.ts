// AgentPort over VS Code terminals: one terminal per running module, named after it, working in
// its worktree, so the user can watch the agent and type to it. A fixed sh wrapper runs the agent's
// argv (passed as positional parameters, never spliced into the script) and records its exit code
// in a file; a terminal closed without that file was closed by the user. The agents die with the
// extension host: their terminals are transient, so after a window reload nobody would see them.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { AgentExit, AgentHandle, AgentLaunch, AgentPort } from '../core/ports';
import { agentEnvironment } from '../infra/process/agentEnv';
import { ExitFiles } from '../infra/process/exitFiles';
import { findLaunched } from '../infra/process/findLaunched';
import { processStartTime, sameProcessAlive } from '../infra/process/processIdentity';

// A failed agent's terminal stays open for its output to be read, with a note instead of the
// editor's "terminal process failed" toast that a non-zero exit of the wrapper would raise.
const WRAPPER =
  '"$@"; code=$?; printf %s "$code" > "$CONDUCTOR_EXIT_FILE"; ' +
  'if [ "$code" -ne 0 ]; then printf "\\n[Spec Conductor] The agent exited with code %s. Press Enter to close this terminal.\\n" "$code"; read -r _; fi; exit 0';
/** How long a retry waits for the old terminal to close before opening the new one. */
const CLOSE_WAIT_MS = 5000;

export interface TerminalEvents {
  opened(key: string): void;
  closed(key: string): void;
}

export class TerminalAgentPort implements AgentPort, vscode.Disposable {
  private readonly terminals = new Map<string, vscode.Terminal>();
  private readonly closeWaiters = new Map<vscode.Terminal, () => void>();
  /** Shell pids of agents started here that have not ended yet. */
  private readonly running = new Set<number>();
  private readonly subscription: vscode.Disposable;
  private readonly exitFiles = new ExitFiles();

  constructor(private readonly events: TerminalEvents) {
    this.subscription = vscode.window.onDidCloseTerminal((t) => this.closeWaiters.get(t)?.());
  }

  terminalFor(key: string): vscode.Terminal | undefined {
    return this.terminals.get(key);
  }

  async start(launch: AgentLaunch): Promise<AgentHandle> {
    // A retry reuses the module's slot: the old terminal (its agent has ended) makes way — and is
    // gone before the new one opens, so the user never sees two terminals for one module.
    const old = this.terminals.get(launch.key);
    if (old) await this.disposeAndWait(old);
    const exitFile = `${launch.logFile}.exit`;
    await fs.rm(exitFile, { force: true });
    await fs.mkdir(exitFile.replace(/\/[^/]*$/, ''), { recursive: true });
    const terminal = vscode.window.createTerminal({
      name: `Agent: ${launch.name}`,
      cwd: launch.cwd,
      env: { ...agentEnvironment(launch), CONDUCTOR_EXIT_FILE: exitFile },
      shellPath: '/bin/sh',
      shellArgs: ['-c', WRAPPER, 'conductor-agent', ...launch.command.argv],
      iconPath: new vscode.ThemeIcon('hubot'),
      isTransient: true,
    });
    this.terminals.set(launch.key, terminal);
    this.events.opened(launch.key);
    const pid = (await terminal.processId) ?? null;
    if (pid !== null) this.running.add(pid);
    let stopRequested = false;

    const exited = new Promise<AgentExit>((resolve) => {
      let settled = false;
      // The agent ended: its code is in the file, whether or not the terminal stays open to read.
      const written = this.exitFiles.wait(exitFile);
      const finish = (exit: AgentExit): void => {
        if (settled) return;
        settled = true;
        if (pid !== null) this.running.delete(pid);
        written.cancel();
        this.closeWaiters.delete(terminal);
        resolve(exit);
      };
      void written.text.then((text) => finish({ code: Number(text.trim()), signal: null, byUser: stopRequested }));
      this.closeWaiters.set(terminal, () => {
        if (this.terminals.get(launch.key) === terminal) {
          this.terminals.delete(launch.key);
          this.events.closed(launch.key);
        }
        void fs.readFile(exitFile, 'utf8').then(
          (text) => finish({ code: Number(text.trim()), signal: null, byUser: stopRequested }),
          () => finish({ code: terminal.exitStatus?.code ?? null, signal: null, byUser: true }),
        );
      });
    });

    return {
      key: launch.key,
      pid,
      exited,
      stop: async () => {
        stopRequested = true;
        terminal.dispose();
        await exited;
      },
    };
  }

  /** Disposes a terminal and waits (a few seconds at most) until the editor reports it closed. */
  private async disposeAndWait(terminal: vscode.Terminal): Promise<void> {
    if (!vscode.window.terminals.includes(terminal)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let listener: vscode.Disposable | undefined;
    const closed = new Promise<void>((resolve) => {
      listener = vscode.window.onDidCloseTerminal((t) => {
        if (t === terminal) resolve();
      });
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    terminal.dispose();
    await closed;
    clearTimeout(timer);
    listener?.dispose();
  }

  isAlive(pid: number, startTime?: string | null): boolean {
    return sameProcessAlive(pid, startTime);
  }

  startTimeOf(pid: number): string | null {
    return processStartTime(pid);
  }

  async findLaunched(launchId: string): Promise<number | null> {
    const found = await findLaunched(launchId);
    return found.find((p) => p.leader)?.pid ?? found[0]?.pid ?? null;
  }

  async stopPid(pid: number): Promise<void> {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // not a group leader, or gone
    }
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.exitFiles.dispose();
    // A reload does not close transient terminals in the terminal host right away: their agents
    // would run on unseen and unfollowed. Signals are synchronous, so this works during shutdown.
    for (const pid of this.running) void this.stopPid(pid);
    this.running.clear();
  }
}
