// Splits a test command from READY.md into argument vectors, the way a POSIX shell splits words,
// so it can be run with spawn(argv[0], argv.slice(1)) and never through `sh -c`. Only the parts of
// shell syntax that mean nothing but "these are the words" are accepted: quotes, backslash
// escapes, leading NAME=value assignments and `&&`. Anything that would make a shell do more
// (pipes, redirections, expansions, globs, subshells, …) is refused with a message saying so.
// Refused too, because a shell would treat them specially: unquoted `[` (a glob), `{ }` (grouping,
// brace expansion), `#` starting a word (a comment), `~` starting a word or an assignment value,
// line breaks, and shell keywords or builtins as the program (`cd`, `export`, `if`: no executable).
// Kept literal, as in a shell: `$` before a space, an operator (`$&&`) or at the end, `~` inside a
// word (`HEAD~1`).

export interface CommandStep {
  /** Variables set for this step only (`NAME=value` words before the command). */
  env: Record<string, string>;
  argv: string[];
}

export type ParsedCommandLine = { steps: CommandStep[] } | { error: string };

const ADVICE = 'put it in a script (e.g. npm run …) and call that';

// A word is built from pieces; only unquoted pieces can be shell syntax (assignments, `~`).
interface Word {
  text: string;
  /** Length of the unquoted prefix of `text`: `NAME=` must lie inside it to be an assignment. */
  unquotedPrefix: number;
  /** Offset of the word in the input, for messages. */
  start: number;
}

type Token = { kind: 'word'; word: Word } | { kind: 'and'; at: number };

class ShellSyntax extends Error {}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
// Reserved words and builtins are not programs: spawn would fail with a confusing ENOENT.
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done',
  'function', 'select', 'time', '[[', ']]', '!', 'in']);
const BUILTINS = new Set(['cd', 'export', 'source', '.', 'alias', 'unalias', 'set', 'unset', 'eval', 'exec', 'ulimit',
  'umask', 'shift', 'trap', 'readonly', 'local', 'return', 'exit', 'pushd', 'popd']);

function needsShell(what: string, at: number): ShellSyntax {
  return new ShellSyntax(`${what} at column ${at + 1} needs a shell; ${ADVICE}`);
}

/** Describes an unquoted character that only a shell gives meaning to, or null when it is literal. */
function shellOnly(text: string, i: number): string | null {
  const c = text[i];
  const next = text[i + 1] ?? '';
  switch (c) {
    case '|':
      return next === '|' ? '"||"' : 'a pipe "|"';
    case ';':
      return 'a command separator ";"';
    case '&':
      return 'a background "&"';
    case '>':
    case '<':
      return `a redirection "${c}"`;
    case '`':
      return 'command substitution with backticks';
    case '(':
    case ')':
      return `a subshell "${c}"`;
    case '{':
    case '}':
      return `a brace "${c}" (grouping or brace expansion)`;
    case '*':
    case '?':
    case '[':
      return `the glob character "${c}"`;
    case '$':
      return dollar(next);
    default:
      return null;
  }
}

function dollar(next: string): string | null {
  if (next === '(') return 'command substitution "$("';
  if (next === '{') return 'variable expansion "${"';
  if (/[A-Za-z_0-9@*#?$!-]/.test(next)) return `variable expansion "$${next}…"`;
  if (next === "'" || next === '"') return `the quoting "$${next}"`;
  // A `$` before a space, an operator or at the end is a literal dollar sign in POSIX shells.
  return null;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // The word being read (null between words) and whether a quoted piece has been added to it.
  const st: { word: Word | null; quotedYet: boolean } = { word: null, quotedYet: false };
  const addText = (s: string, quoted: boolean, at: number): void => {
    const word = (st.word ??= { text: '', unquotedPrefix: 0, start: at });
    word.text += s;
    if (quoted) st.quotedYet = true;
    else if (!st.quotedYet) word.unquotedPrefix = word.text.length;
  };
  const endWord = (): void => {
    if (st.word) tokens.push({ kind: 'word', word: st.word });
    st.word = null;
    st.quotedYet = false;
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1] ?? '';
    // The tokenizer reads one line; NUL cannot be passed in argv and other controls are surely a mistake.
    if (c === '\n' || c === '\r') throw needsShell('a line break (a second command)', i);
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(c)) {
      const code = c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase();
      throw new ShellSyntax(`the control character U+${code} at column ${i + 1} is not allowed in a command`);
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '&' && next === '&') {
      endWord();
      tokens.push({ kind: 'and', at: i });
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntax(`the single quote at column ${i + 1} is never closed`);
      addText(text.slice(i + 1, close), true, i);
      i = close + 1;
    } else if (c === '"') {
      const at = i;
      i = doubleQuoted(text, i, (s) => addText(s, true, at));
    } else if (c === '\\') {
      if (next === '') throw new ShellSyntax('the command ends with a backslash');
      if (next === '\n' || next === '\r') throw needsShell('a line continuation', i);
      addText(next, true, i);
      i += 2;
    } else {
      if (c === '#' && st.word === null) throw needsShell('a comment "#"', i);
      if (c === '~' && tildeExpands(st.word, st.quotedYet)) throw needsShell('the home directory "~"', i);
      const special = shellOnly(text, i);
      if (special) throw needsShell(special, i);
      addText(c, false, i);
      i++;
    }
  }
  endWord();
  return tokens;
}

/** `~` expands at the start of a word and after the `=` or a `:` of an unquoted assignment. */
function tildeExpands(word: Word | null, quotedYet: boolean): boolean {
  if (word === null) return true;
  if (quotedYet) return false;
  const last = word.text[word.text.length - 1];
  return (last === '=' || last === ':') && ASSIGNMENT.test(word.text);
}

/** Reads a double-quoted string starting at `open`; returns the index after the closing quote. */
function doubleQuoted(text: string, open: number, add: (s: string) => void): number {
  let i = open + 1;
  let buf = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      add(buf);
      return i + 1;
    }
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '"' || next === '\\' || next === '$' || next === '`') {
        buf += next;
        i += 2;
        continue;
      }
      if (next === '\n') throw needsShell('a line continuation', i);
      buf += c; // POSIX: other backslashes inside double quotes stay as they are
      i++;
      continue;
    }
    if (c === '`') throw needsShell('command substitution with backticks', i);
    if (c === '$') {
      const what = dollar(text[i + 1] === '"' ? '' : (text[i + 1] ?? ''));
      if (what) throw needsShell(what, i);
    }
    if (c === '\n' || c === '\r') throw needsShell('a line break (a second command)', i);
    buf += c;
    i++;
  }
  throw new ShellSyntax(`the double quote at column ${open + 1} is never closed`);
}

function stepOf(words: Word[], at: number): CommandStep {
  const env: Record<string, string> = {};
  let k = 0;
  for (; k < words.length; k++) {
    const m = ASSIGNMENT.exec(words[k].text);
    if (!m || m[0].length > words[k].unquotedPrefix) break;
    env[m[1]] = words[k].text.slice(m[0].length);
  }
  const argv = words.slice(k).map((w) => w.text);
  if (argv.length === 0) {
    if (k > 0) throw needsShell('setting a variable without running a command', words[0].start);
    throw new ShellSyntax(`an empty command at column ${at + 1}`);
  }
  const first = words[k];
  // Only an unquoted reserved word means something to a shell; a quoted one would be a program name.
  if (first.unquotedPrefix === first.text.length) {
    if (RESERVED.has(first.text)) throw needsShell(`the shell keyword "${first.text}"`, first.start);
    if (BUILTINS.has(first.text)) throw needsShell(`the shell builtin "${first.text}"`, first.start);
  }
  return { env, argv };
}

/** Parses one command line into steps separated by `&&`, or explains why it needs a shell. */
export function parseCommandLine(text: string): ParsedCommandLine {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof ShellSyntax) return { error: e.message };
    throw e;
  }
  if (tokens.length === 0) return { error: 'the command is empty' };
  const steps: CommandStep[] = [];
  let words: Word[] = [];
  let stepStart = 0;
  try {
    for (const t of tokens) {
      if (t.kind === 'word') {
        words.push(t.word);
        continue;
      }
      if (words.length === 0) throw new ShellSyntax(`"&&" at column ${t.at + 1} has no command before it`);
      steps.push(stepOf(words, stepStart));
      words = [];
      stepStart = t.at + 2;
    }
    if (words.length === 0) throw new ShellSyntax('the command ends with "&&"');
    steps.push(stepOf(words, stepStart));
  } catch (e) {
    if (e instanceof ShellSyntax) return { error: e.message };
    throw e;
  }
  return { steps };
}
