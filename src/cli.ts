// Entry point of the headless `conductor` command.
import * as readline from 'node:readline';
import { errorLine, runCli } from './cli/run';

/** One answer typed on the terminal; null when input ends first. */
function ask(question: string): Promise<string | null> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) => {
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.on('close', () => {
      if (!answered) resolve(null);
    });
  });
}

// `conductor status | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// A failure in work no command awaits (a state save after an agent exited, on a disk that just
// filled up) would otherwise end the process with a stack trace: one line and exit 1 instead. Saves
// are atomic, so the state file is the last complete one.
process.on('unhandledRejection', (e: unknown) => {
  process.stderr.write(`conductor: ${errorLine(e)}\n`);
  if (process.env.CONDUCTOR_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  process.exit(1);
});

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY),
  ask: process.stdin.isTTY && process.stdout.isTTY ? ask : undefined,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`conductor: ${errorLine(e)}\n`);
    process.exitCode = 1;
  },
);
