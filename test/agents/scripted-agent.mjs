#!/usr/bin/env node
// A stand-in for an AI coding agent CLI, for tests: `node /abs/path/scripted-agent.mjs` as the custom
// agent command. It runs in the module's worktree with the CONDUCTOR_* environment and does what the
// JSON file named by $SCRIPTED_AGENT_PLAN says for its module:
//
//   { "<module>": [steps…], "<module>#<attempt>": [steps…], "*": [steps…] }   (or { "steps": [steps…] })
//
// Steps, in order:
//   { "write": "path", "content": "…" }          file relative to the cwd (folders created)
//   { "writeOutside": "../x", "content": "…" }   the same, for paths meant to escape the worktree
//   { "commit": "message" }                      git add -A && git commit (empty commits allowed)
//   { "report": "complete|failed|progress|needs-input|started|discovery|spec-correction", "summary": "…", "files": [...],
//     "testsPassing": true }                     runs "$CONDUCTOR_HOOK" with an argument array
//   { "appendStatus": "raw text", "file": "…" }  a raw line into $CONDUCTOR_STATUS_FILE (or the file given,
//                                                relative to $CONDUCTOR_STATUS_DIR); {{token}} in the text
//                                                becomes $CONDUCTOR_TOKEN
//   { "print": "text" } / { "printErr": "text" } a line on stdout / stderr
//   { "sleep": ms }, { "hang": true }, { "exit": code }
//   { "readLine": true }                         waits for a line on stdin (an answer typed in the agent's
//                                                terminal) and prints it; returns at once at end of input
//   { "failOnAttempt": n }                       exit 1 without reporting when CONDUCTOR_ATTEMPT is n
//   { "expectPrompt": "regex" }                  exit 3 unless $CONDUCTOR_PROMPT_FILE matches (what a
//                                                fix round must tell the agent)
//
// Without a plan (or without an entry for the module): write <module>.txt, commit, report complete.
// Each start (and each normal end) is appended as a JSON line to $SCRIPTED_AGENT_LOG when it is set,
// with the agent's cwd, its arguments and its CONDUCTOR_* variables.
// Plain Node, no dependencies; every external command runs through execFileSync with argv.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const env = process.env;
// Run by hand in a checkout it would commit there: only ever run it as an agent the conductor started.
if (!env.CONDUCTOR_MODULE) {
  process.stderr.write('scripted-agent: CONDUCTOR_MODULE is not set; it only runs as an agent started by Spec Conductor\n');
  process.exit(2);
}
const moduleId = env.CONDUCTOR_MODULE;
const attempt = Number(env.CONDUCTOR_ATTEMPT ?? '1');

function fail(message) {
  process.stderr.write(`scripted-agent: ${message}\n`);
  process.exit(2);
}

function record(event, extra = {}) {
  if (!env.SCRIPTED_AGENT_LOG) return;
  const selected = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('CONDUCTOR_')) selected[k] = v;
  const line = { event, module: moduleId, attempt, phase: env.CONDUCTOR_PHASE ?? null, pid: process.pid, cwd: process.cwd(), argv: process.argv.slice(2), ts: Date.now(), env: selected, ...extra };
  fs.appendFileSync(env.SCRIPTED_AGENT_LOG, `${JSON.stringify(line)}\n`);
}

function loadSteps() {
  const defaults = [
    { write: `${moduleId}.txt`, content: `${moduleId} attempt ${attempt}\n` },
    { commit: `${moduleId}: attempt ${attempt}` },
    { report: 'complete', summary: `${moduleId} done`, files: [`${moduleId}.txt`] },
  ];
  if (!env.SCRIPTED_AGENT_PLAN) return defaults;
  let plan;
  try {
    plan = JSON.parse(fs.readFileSync(env.SCRIPTED_AGENT_PLAN, 'utf8'));
  } catch (e) {
    fail(`cannot read the plan ${env.SCRIPTED_AGENT_PLAN}: ${e.message}`);
  }
  const entry = plan[`${moduleId}#${attempt}`] ?? plan[moduleId] ?? plan['*'];
  if (entry === undefined) return defaults;
  const steps = Array.isArray(entry) ? entry : entry?.steps;
  if (!Array.isArray(steps)) fail(`the plan entry for ${moduleId} must be a list of steps or { "steps": [...] }`);
  return steps;
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeFile(rel, content) {
  const target = path.resolve(process.cwd(), rel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content ?? '');
}

/** One line from stdin, read synchronously like every other step (EAGAIN: stdin is non-blocking, wait a little). */
function readLineSync() {
  const byte = Buffer.alloc(1);
  const bytes = [];
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, byte, 0, 1, null);
    } catch (e) {
      if (e.code === 'EAGAIN') {
        sleepSync(50);
        continue;
      }
      if (e.code === 'EOF') break;
      throw e;
    }
    if (n === 0 || byte[0] === 0x0a || byte[0] === 0x0d) break;
    bytes.push(byte[0]);
  }
  return Buffer.from(bytes).toString('utf8');
}

function git(args) {
  execFileSync('git', args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function report(step) {
  if (!env.CONDUCTOR_HOOK) fail('CONDUCTOR_HOOK is not set');
  const args = [step.report, '--summary', step.summary ?? ''];
  if (Array.isArray(step.files) && step.files.length > 0) args.push('--files', step.files.join(','));
  if (typeof step.testsPassing === 'boolean') args.push('--tests-passing', String(step.testsPassing));
  execFileSync(env.CONDUCTOR_HOOK, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function run(step) {
  if ('write' in step) writeFile(step.write, step.content);
  else if ('writeOutside' in step) writeFile(step.writeOutside, step.content);
  else if ('commit' in step) {
    git(['add', '-A']);
    git(['-c', 'user.name=Scripted Agent', '-c', 'user.email=scripted-agent@example.invalid', 'commit', '--allow-empty', '--no-verify', '-q', '-m', String(step.commit)]);
  } else if ('report' in step) report(step);
  else if ('appendStatus' in step) {
    if (!env.CONDUCTOR_STATUS_FILE) fail('CONDUCTOR_STATUS_FILE is not set');
    const target = step.file ? path.join(env.CONDUCTOR_STATUS_DIR ?? '', step.file) : env.CONDUCTOR_STATUS_FILE;
    fs.appendFileSync(target, `${String(step.appendStatus).replaceAll('{{token}}', env.CONDUCTOR_TOKEN ?? '')}\n`);
  } else if ('print' in step) process.stdout.write(`${step.print}\n`);
  else if ('printErr' in step) process.stderr.write(`${step.printErr}\n`);
  else if ('sleep' in step) sleepSync(Number(step.sleep));
  else if ('waitForFile' in step) {
    // Held until the test lets it go (a slow machine must not let it finish early); 5 minutes at most.
    for (let waited = 0; !fs.existsSync(String(step.waitForFile)); waited += 50) {
      if (waited > 300_000) fail(`${step.waitForFile} never appeared`);
      sleepSync(50);
    }
  }
  else if ('hang' in step) for (;;) sleepSync(60_000);
  else if ('readLine' in step) process.stdout.write(`scripted-agent: read "${readLineSync()}"\n`);
  else if ('exit' in step) process.exit(Number(step.exit));
  else if ('failOnAttempt' in step) {
    if (attempt === Number(step.failOnAttempt)) process.exit(1);
  } else if ('expectPrompt' in step) {
    const prompt = fs.readFileSync(env.CONDUCTOR_PROMPT_FILE ?? '', 'utf8');
    if (!new RegExp(String(step.expectPrompt)).test(prompt)) {
      process.stderr.write(`scripted-agent: the prompt does not match /${step.expectPrompt}/\n`);
      process.exit(3);
    }
  } else fail(`unknown step ${JSON.stringify(step)}`);
}

const steps = loadSteps();
record('start');
process.on('exit', (code) => record('end', { code }));
for (const step of steps) run(step);
