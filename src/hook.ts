// Entry point of the completion hook executable (bundled to dist/hook.js and started through the
// `.conductor/bin/conductor-hook` launcher). All logic lives in infra/status/hookCommand.ts.
import { readFileSync } from 'node:fs';
import { runHook } from './infra/status/hookCommand';

const result = runHook(process.argv.slice(2), process.env, { stdin: () => readFileSync(0, 'utf8') });
if (result.message) (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.message}\n`);
process.exitCode = result.exitCode;
