// Entry point of the headless `conductor` command.
import { runCli } from './cli/run';

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`conductor: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
