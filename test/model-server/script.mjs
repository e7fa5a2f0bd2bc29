// The scripted model's brain, the same for every API dialect. A dialect turns a request into a
// Conversation; nextStep() says what the "model" does next; the dialect renders that step in its
// API's wire format (SSE events, tool calls under the CLI's own tool names).
//
// Stateless by design: the step is derived from the conversation itself (how many tool calls the
// assistant already made, how many user turns there were), exactly as a real model sees only the
// request. Like a diligent model, it reads what it needs from the conductor's prompt: the module,
// the attempt, and the completion hook's command line, copied from the prompt's Reporting section.
//
// Conversation = {
//   text: string,            every user-authored text of the request (system prompt excluded), joined
//   userTurns: string[],     the text of each user message that is not only tool results
//   toolCalls: number,       tool calls the assistant made so far in this conversation
//   toolResults: { output: string, isError: boolean }[]
//   hasTools: boolean,       the request offers tools (side requests — titles, summaries — do not)
// }
//
// Step =
//   { kind: 'write', path, content }   write a file with the CLI's write tool (path relative to the worktree)
//   { kind: 'shell', command }         run a command with the CLI's shell tool
//   { kind: 'text', text }             answer in text and end the turn (the CLI stops, or waits for the user)
//
// Scenarios, chosen per module by the server's config ({ default, modules: { <module>: name,
// '<module>#<attempt>': name } }):
//   diligent  write src/<module>.js, commit it, report complete with the hook, say "Done."
//   fail      report failed with the hook, say so
//   ask       end the first turn with a question; after the user's answer, work as diligent
//   deny      first try a command no preset allows (`git push origin HEAD`), then work as diligent
//   silent    work as diligent but never run the hook (the process ending is the only signal)

export const SCENARIOS = ['diligent', 'fail', 'ask', 'deny', 'silent'];

export const DENIED_COMMAND = 'git push origin HEAD';
export const QUESTION = 'Which currency should prices use?';

/** What the prompt says about this agent: module, phase number, attempt, worktree, hook line. */
export function readPrompt(text) {
  const who = /You are implementing module `([^`]+)` of phase (\d+)/.exec(text);
  const attempt = /This is attempt (\d+)\./.exec(text);
  const worktree = /Work only inside your worktree, `([^`]+)`/.exec(text);
  // The completion line as the prompt shows it, e.g. `conductor-hook complete --summary "…" --files …`.
  const hook = /^(.*?)\bcomplete --summary\b/m.exec(text);
  return {
    module: who ? who[1] : null,
    phase: who ? Number(who[2]) : null,
    attempt: attempt ? Number(attempt[1]) : 1,
    worktree: worktree ? worktree[1] : null,
    hook: hook ? hook[1].trim() : 'conductor-hook',
  };
}

/** The start of the conductor's prompt (not an answer to a question): each attempt sends a new one. */
export const CONDUCTOR_PROMPT = /You are implementing module `[^`]+` of phase \d+/;

/**
 * A resumed session (a retry: `--resume <id>`) sends the earlier attempt's conversation, then the new
 * attempt's prompt. Like a model given a fresh task, the script starts again at the latest prompt:
 * the items from the last one `isPrompt` picks on (all of them when that is the first, or none is).
 */
export function fromLatestPrompt(items, isPrompt) {
  const last = items.findLastIndex(isPrompt);
  return last > 0 ? items.slice(last) : items;
}

export function scenarioFor(config, info) {
  const modules = config.modules ?? {};
  return modules[`${info.module}#${info.attempt}`] ?? modules[info.module] ?? config.default ?? 'diligent';
}

/** A double-quoted sh word: the scripted model quotes like a careful model would. */
function q(s) {
  return `"${String(s).replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

function diligentSteps(info, extraSummary = '') {
  const m = info.module ?? 'module';
  const file = `src/${m}.js`;
  const summary = `${m} implemented by the scripted model${extraSummary}`;
  return [
    { kind: 'write', path: file, content: `// ${m}, written by the scripted model (attempt ${info.attempt})\nexport const ${m.replace(/[^A-Za-z0-9_]/g, '_')} = () => '${m}';\n` },
    { kind: 'shell', command: `git add -A && git commit -q -m ${q(`${m}: implement (attempt ${info.attempt})`)}` },
    { kind: 'shell', command: `${info.hook} complete --summary ${q(summary)} --files ${file}` },
    { kind: 'text', text: `Done: ${summary}.` },
  ];
}

/** The whole script of a scenario, as a list of turns; each turn is a list of steps ending in text. */
export function scriptFor(scenario, info, answer) {
  const m = info.module ?? 'module';
  switch (scenario) {
    case 'fail':
      return [[{ kind: 'shell', command: `${info.hook} failed --summary ${q(`${m}: the scripted model could not finish`)}` }, { kind: 'text', text: 'I could not finish this module.' }]];
    case 'ask':
      return [[{ kind: 'text', text: QUESTION }], diligentSteps(info, answer ? ` (prices in ${answer.trim()})` : '')];
    case 'deny':
      return [[{ kind: 'shell', command: DENIED_COMMAND }, ...diligentSteps(info)]];
    case 'silent':
      return [diligentSteps(info).filter((s) => !(s.kind === 'shell' && s.command.includes(' complete ')))];
    case 'diligent':
    default:
      return [diligentSteps(info)];
  }
}

/**
 * The next step for a conversation. Side requests (no tools offered) get a short text. Turn k of the
 * script runs after the k-th user message; within a turn, the step is the number of tool calls made
 * since that user message (counted by the dialect over the whole conversation, minus earlier turns').
 */
export function nextStep(conversation, config) {
  if (!conversation.hasTools) return { kind: 'text', text: 'Scripted model.' };
  const info = readPrompt(conversation.text);
  const turns = conversation.userTurns.length;
  const answer = turns >= 2 ? conversation.userTurns[turns - 1] : null;
  const script = scriptFor(scenarioFor(config, info), info, answer);
  const turnIndex = Math.min(turns, script.length) - 1;
  if (turnIndex < 0) return { kind: 'text', text: 'Nothing to do.' };
  const earlierTools = script.slice(0, turnIndex).reduce((n, t) => n + t.filter((s) => s.kind !== 'text').length, 0);
  const k = conversation.toolCalls - earlierTools;
  const turn = script[turnIndex];
  if (turns > script.length) return { kind: 'text', text: 'Done.' };
  return turn[Math.max(0, Math.min(k, turn.length - 1))];
}
