import { describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import {
  AGENT_PRESETS,
  CLAUDE_SETTINGS_FILE,
  CLAUDE_EVENT_HOOK_COMMAND,
  mergeClaudeSettings,
  nativeHookSettings,
  resolveAgent,
  type AgentMode,
} from '../../src/core/agents/presets';

const MODES: AgentMode[] = ['headless', 'interactive'];
const BUILT_IN = AGENT_PRESETS.filter((p) => p.id !== 'custom');

function resolved(spec: string, mode: AgentMode): { argv: string[]; display: string } {
  const r = resolveAgent(spec, mode);
  assert.ok(!('error' in r), `expected a command for ${spec}, got ${JSON.stringify(r)}`);
  return r;
}

describe('presets', () => {
  test('the UI metadata lists the four agents and custom', () => {
    assert.deepEqual(AGENT_PRESETS.map((p) => p.id), ['claude', 'codex', 'gemini', 'qwen', 'aider', 'custom']);
    for (const p of AGENT_PRESETS) assert.ok(p.label && p.description, p.id);
  });

  test('every preset resolves in both modes to its metadata argv, a fixed sh script', () => {
    for (const preset of BUILT_IN) {
      for (const mode of MODES) {
        const { argv, display } = resolved(preset.id, mode);
        assert.deepEqual(argv, preset[mode]);
        assert.equal(argv.length, 3);
        assert.deepEqual(argv.slice(0, 2), ['/bin/sh', '-c']);
        assert.match(argv[2], new RegExp(`exec ${preset.executable} `));
        assert.ok(display.startsWith(`${preset.executable} `), display);
        assert.ok(!display.includes('$p'), display);
      }
    }
  });

  test('preset names are matched trimmed and case-insensitively', () => {
    assert.deepEqual(resolved('  Claude ', 'headless'), resolved('claude', 'headless'));
  });

  test('preset scripts use no variable but the prompt and the engine\'s own CONDUCTOR_* paths and ids', () => {
    // Set by the engine, never from spec text: the prompt file, the hook, the git dirs and status
    // folder a sandbox must let the agent write, and the session a retry resumes.
    const allowed = ['p', 'CONDUCTOR_PROMPT_FILE', 'CONDUCTOR_HOOK', 'CONDUCTOR_GIT_DIR', 'CONDUCTOR_GIT_COMMON_DIR', 'CONDUCTOR_STATUS_DIR', 'CONDUCTOR_RESUME_SESSION', 'CONDUCTOR_MAX_TURNS'];
    for (const preset of BUILT_IN) {
      for (const mode of MODES) {
        const script = resolved(preset.id, mode).argv[2];
        const names = new Set([...script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
        for (const name of names) assert.ok(allowed.includes(name), `${preset.id}: $${name}`);
        assert.doesNotMatch(script, /\beval\b/);
        // Every use of the prompt is inside double quotes, so it stays one argument.
        for (const m of script.matchAll(/\$p\b/g)) {
          const before = script.slice(0, m.index);
          assert.ok(before.endsWith('"') || /"--[a-z-]+=$/.test(before), `${preset.id} ${mode}: unquoted $p`);
        }
      }
    }
  });

  test('headless and interactive differ where the tools differ', () => {
    assert.match(resolved('claude', 'headless').argv[2], / -p /);
    assert.doesNotMatch(resolved('claude', 'interactive').argv[2], / -p /);
    assert.match(resolved('claude', 'headless').argv[2], / -p --output-format stream-json --verbose /);
    assert.doesNotMatch(resolved('claude', 'interactive').argv[2], /stream-json|--verbose/);
    for (const mode of MODES) {
      // Exactly what Claude Code may do unasked: edits in the worktree, git add/commit, the hook by its plain name.
      assert.match(
        resolved('claude', mode).argv[2],
        / --permission-mode acceptEdits --allowedTools 'Bash\(git add:\*\)' 'Bash\(git commit:\*\)' 'Bash\(conductor-hook:\*\)' -- "\$p"$/,
      );
      assert.doesNotMatch(resolved('claude', mode).argv[2], /bypassPermissions|skip-permissions|CONDUCTOR_HOOK/);
    }
  });

  test('claude resumes the session of the previous attempt when the engine names one, as two arguments', () => {
    const script = resolved('claude', 'headless').argv[2];
    const argsWith = (env: Record<string, string>): string[] => {
      // The preset's script with `claude` replaced by a printer of its arguments.
      const printer = script.replace('exec claude ', 'exec printf "%s\\n" ');
      return execFileSync('/bin/sh', ['-c', printer], { env: { PATH: process.env.PATH, CONDUCTOR_PROMPT_FILE: __filename, ...env }, encoding: 'utf8' }).split('\n');
    };
    assert.ok(!argsWith({}).includes('--resume'));
    const id = 'abc def "$(touch x)"';
    const args = argsWith({ CONDUCTOR_RESUME_SESSION: id });
    assert.deepEqual(args.slice(args.indexOf('--resume'), args.indexOf('--resume') + 2), ['--resume', id]);
    assert.deepEqual(args.slice(0, 4), ['-p', '--output-format', 'stream-json', '--verbose']);
    assert.match(resolved('codex', 'headless').argv[2], /exec codex exec --json .*--sandbox workspace-write /);
    assert.match(resolved('codex', 'interactive').argv[2], /exec codex .*--sandbox workspace-write .*--ask-for-approval on-request -- "\$p"/);
    assert.match(resolved('gemini', 'headless').argv[2], / -o stream-json "--prompt=\$p"$/);
    assert.match(resolved('gemini', 'interactive').argv[2], /--skip-trust .*"--prompt-interactive=\$p"$/);
    for (const mode of MODES) {
      const script = resolved('gemini', mode).argv[2];
      // Least permission: edits in the workspace, git add/commit and the hook; never yolo.
      assert.doesNotMatch(script, /--yolo|approval-mode=yolo/);
      assert.match(script, /--approval-mode=auto_edit /);
      const allowed = [...script.matchAll(/'--allowed-tools=([^']*)'/g)].map((m) => m[1]);
      assert.deepEqual(allowed, ['run_shell_command(git add)', 'run_shell_command(git commit)', 'run_shell_command(conductor-hook)']);
      assert.match(script, / --skip-trust /);
    }
    assert.match(resolved('qwen', 'headless').argv[2], /--output-format stream-json "--prompt=\$p"$/);
    assert.match(resolved('qwen', 'interactive').argv[2], /"--prompt-interactive=\$p"$/);
    assert.match(resolved('aider', 'headless').argv[2], /--yes-always --message-file "\$CONDUCTOR_PROMPT_FILE"/);
    assert.match(resolved('aider', 'interactive').argv[2], /--read "\$CONDUCTOR_PROMPT_FILE"/);
  });
});

/** The arguments a preset's script passes to its CLI (the CLI replaced by a printer of its arguments). */
function argsOf(id: string, mode: AgentMode, env: Record<string, string>): string[] {
  const printer = resolved(id, mode).argv[2].replace(`exec ${id} `, 'exec printf "%s\\0" ');
  const out = execFileSync('/bin/sh', ['-c', printer], { env: { PATH: process.env.PATH, CONDUCTOR_PROMPT_FILE: __filename, ...env }, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('resuming the previous attempt\'s session', () => {
  // Whatever the recorded id holds stays one value: never a flag, never shell code.
  const ID = '-y "$(touch pwned)" `x` a b';

  test('gemini and qwen: `--resume=<id>` as one argument before the prompt, in both modes; nothing without a session', () => {
    for (const id of ['gemini', 'qwen']) {
      for (const mode of MODES) {
        const plain = argsOf(id, mode, {});
        assert.ok(!plain.some((a) => a.startsWith('--resume')), `${id} ${mode}: ${plain.join(' ')}`);
        const resumed = argsOf(id, mode, { CONDUCTOR_RESUME_SESSION: ID });
        assert.deepEqual(resumed.filter((a) => a.startsWith('--resume')), [`--resume=${ID}`], `${id} ${mode}`);
        // The same command otherwise, the prompt still last.
        assert.deepEqual(resumed.filter((a) => a !== `--resume=${ID}`), plain);
        assert.match(resumed.at(-1)!, /^--prompt(-interactive)?=/);
      }
    }
  });

  test('the displayed command line names the resume in words, never as shell', () => {
    const shown = (id: string): string => resolved(id, 'headless').display;
    assert.match(shown('claude'), / \[--resume <session of the previous attempt>\] /);
    assert.match(shown('codex'), / \[resume <session of the previous attempt>\] -- <prompt>$/);
    assert.match(shown('gemini'), / \[--resume=<session of the previous attempt>\] -o stream-json --prompt=<prompt>$/);
    assert.match(shown('qwen'), / \[--resume=<session of the previous attempt>\] --output-format stream-json --prompt=<prompt>$/);
    for (const p of BUILT_IN) for (const mode of MODES) assert.doesNotMatch(resolved(p.id, mode).display, /CONDUCTOR_RESUME_SESSION/, `${p.id} ${mode}`);
  });
});

describe('turn budget (CONDUCTOR_MAX_TURNS)', () => {
  const after = (args: string[], flag: string): string[] => args.slice(args.indexOf(flag), args.indexOf(flag) + 2);

  test('claude headless gets --max-turns and the number as two arguments; qwen gets --max-session-turns in both modes', () => {
    assert.deepEqual(after(argsOf('claude', 'headless', { CONDUCTOR_MAX_TURNS: '7' }), '--max-turns'), ['--max-turns', '7']);
    for (const mode of MODES) {
      assert.deepEqual(after(argsOf('qwen', mode, { CONDUCTOR_MAX_TURNS: '12' }), '--max-session-turns'), ['--max-session-turns', '12']);
    }
    // Whatever the variable held, it would stay one argument: the script quotes it.
    const odd = '3 $(touch x) "y"';
    assert.deepEqual(after(argsOf('claude', 'headless', { CONDUCTOR_MAX_TURNS: odd }), '--max-turns'), ['--max-turns', odd]);
  });

  test('unset or empty: no flag at all', () => {
    for (const env of [{}, { CONDUCTOR_MAX_TURNS: '' }] as Record<string, string>[]) {
      assert.ok(!argsOf('claude', 'headless', env).includes('--max-turns'));
      for (const mode of MODES) assert.ok(!argsOf('qwen', mode, env).includes('--max-session-turns'));
    }
  });

  test('claude interactive, codex, gemini and aider have no turn-limit flag: never passed', () => {
    // Claude Code: "only works with --print". Codex 0.169.0: none. Gemini CLI 0.61.0: a settings key only.
    const env = { CONDUCTOR_MAX_TURNS: '5' };
    assert.ok(!argsOf('claude', 'interactive', env).includes('--max-turns'));
    assert.doesNotMatch(resolved('claude', 'interactive').argv[2], /MAX_TURNS/);
    for (const preset of ['codex', 'gemini', 'aider']) {
      for (const mode of MODES) {
        assert.doesNotMatch(resolved(preset, mode).argv[2], /MAX_TURNS/, `${preset} ${mode}`);
      }
    }
  });

  test('previews show the flag as optional', () => {
    assert.match(resolved('claude', 'headless').display, / \[--max-turns <max_turns>\] /);
    assert.match(resolved('qwen', 'interactive').display, / \[--max-session-turns <max_turns>\] /);
  });
});

describe('qwen preset', () => {
  test('file edits auto-approved; only git add, git commit and the hook by its plain name pre-allowed; never yolo', () => {
    for (const mode of MODES) {
      const script = resolved('qwen', mode).argv[2];
      assert.match(script, /exec qwen --approval-mode auto-edit --allowed-tools 'run_shell_command\(git add\)' 'run_shell_command\(git commit\)' 'run_shell_command\(conductor-hook\)' /);
      assert.doesNotMatch(script, /yolo|\$CONDUCTOR_HOOK/);
    }
  });
});

describe('custom commands', () => {
  test('any other text is the user\'s command line, run by /bin/sh -c unchanged', () => {
    const line = `node /opt/agents/my agent.mjs --model "big one" < "$CONDUCTOR_PROMPT_FILE"`;
    for (const mode of MODES) assert.deepEqual(resolveAgent(line, mode), { argv: ['/bin/sh', '-c', line], display: line });
  });

  test('surrounding whitespace is dropped', () => {
    assert.deepEqual(resolved('  my-agent --go\n', 'headless').argv, ['/bin/sh', '-c', 'my-agent --go']);
  });

  test('empty, "custom" alone and NUL characters are errors with a message', () => {
    for (const spec of ['', '   ', 'custom', 'Custom', 'agent\0x']) {
      const r = resolveAgent(spec, 'headless');
      assert.ok('error' in r && r.error.length > 10, `${JSON.stringify(spec)} -> ${JSON.stringify(r)}`);
    }
  });
});

describe('native hook settings', () => {
  const ours = { hooks: [{ type: 'command', command: 'conductor-hook claude-event' }] };

  test('Claude Code gets Stop and Notification hooks running `conductor-hook claude-event`; the others get nothing', () => {
    const s = nativeHookSettings('claude');
    assert.ok(s);
    assert.equal(s.path, CLAUDE_SETTINGS_FILE);
    assert.equal(s.hookCommand, CLAUDE_EVENT_HOOK_COMMAND);
    assert.deepEqual(JSON.parse(s.content), { hooks: { Stop: [ours], Notification: [ours] } });
    assert.doesNotMatch(s.content, /complete/, 'a native hook never reports completion');
    for (const id of ['codex', 'gemini', 'qwen', 'aider', 'custom', 'node agent.mjs']) assert.equal(nativeHookSettings(id), null, id);
  });
});

describe('mergeClaudeSettings', () => {
  const hook = CLAUDE_EVENT_HOOK_COMMAND;
  const ours = { hooks: [{ type: 'command', command: hook }] };

  function merged(existing: string | null): { text: string; changed: boolean } {
    const r = mergeClaudeSettings(existing, hook);
    assert.ok(r.ok, JSON.stringify(r));
    return r;
  }

  test('keeps existing keys, other events and other Stop hooks, and appends ours', () => {
    const existing = {
      permissions: { allow: ['Bash(npm test)'], defaultMode: 'acceptEdits' },
      env: { FOO: '1' },
      hooks: {
        PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'check.sh' }] }],
        Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
      },
    };
    const { text, changed } = merged(JSON.stringify(existing));
    assert.equal(changed, true);
    assert.deepEqual(JSON.parse(text), {
      ...existing,
      hooks: {
        PreToolUse: existing.hooks.PreToolUse,
        Stop: [...existing.hooks.Stop, ours],
        Notification: [ours],
      },
    });
    assert.ok(text.endsWith('}\n'));
  });

  test('is idempotent: merging again returns the same text, unchanged', () => {
    for (const start of [null, '', '{}', '{"model": "opus"}', '\uFEFF{"hooks": {}}']) {
      const once = merged(start);
      const twice = merged(once.text);
      assert.equal(twice.changed, false);
      assert.equal(twice.text, once.text);
      assert.equal(JSON.parse(once.text).hooks.Stop.length, 1);
      assert.equal(JSON.parse(once.text).hooks.Notification.length, 1);
    }
  });

  test('an existing file that already runs the hook (in any group) is left byte-for-byte', () => {
    const text = '{ "hooks": { "Stop": [ { "matcher": "", "hooks": [ {"type": "command", "command": "x"}, {"type": "command", "command": ' +
      JSON.stringify(hook) + '} ] } ], "Notification": [ { "hooks": [ {"type": "command", "command": ' + JSON.stringify(hook) + '} ] } ] } }';
    assert.deepEqual(merged(text), { ok: true, text, changed: false });
  });

  test('the Stop hook of earlier versions, which reported complete at every turn end, is removed', () => {
    const stale = { type: 'command', command: '"$CONDUCTOR_HOOK" complete --summary "Claude Code session ended"' };
    const mine = { type: 'command', command: 'notify-send done' };
    const { text } = merged(JSON.stringify({ hooks: { Stop: [{ hooks: [stale] }, { hooks: [mine, stale] }] } }));
    assert.deepEqual(JSON.parse(text).hooks.Stop, [{ hooks: [mine] }, ours]);
  });

  test('malformed files are reported, not overwritten', () => {
    for (const [text, pattern] of [
      ['{ "hooks": ', /not valid JSON/],
      ['[1, 2]', /JSON object/],
      ['{"hooks": []}', /"hooks" must be an object/],
      ['{"hooks": {"Stop": {}}}', /"hooks.Stop" must be a list/],
      ['{"hooks": {"Notification": 1}}', /"hooks.Notification" must be a list/],
    ] as const) {
      const r = mergeClaudeSettings(text, hook);
      assert.ok(!r.ok && pattern.test(r.error), `${text} -> ${JSON.stringify(r)}`);
      assert.ok(!r.ok && r.error.includes(CLAUDE_SETTINGS_FILE));
    }
  });
});
