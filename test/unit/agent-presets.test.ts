import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT_PRESETS,
  CLAUDE_SETTINGS_FILE,
  CLAUDE_STOP_HOOK_COMMAND,
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

  test('preset scripts use no variable but the prompt, the prompt file and the hook', () => {
    for (const preset of BUILT_IN) {
      for (const mode of MODES) {
        const script = resolved(preset.id, mode).argv[2];
        const names = new Set([...script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
        for (const name of names) assert.ok(['p', 'CONDUCTOR_PROMPT_FILE', 'CONDUCTOR_HOOK'].includes(name), `${preset.id}: $${name}`);
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
    assert.match(resolved('claude', 'headless').argv[2], /--permission-mode acceptEdits/);
    assert.match(resolved('codex', 'headless').argv[2], /exec codex exec --full-auto/);
    assert.match(resolved('codex', 'interactive').argv[2], /exec codex --full-auto/);
    assert.match(resolved('gemini', 'headless').argv[2], /--yolo "--prompt=\$p"/);
    assert.match(resolved('gemini', 'interactive').argv[2], /"--prompt-interactive=\$p"/);
    assert.match(resolved('qwen', 'headless').argv[2], /--output-format stream-json "--prompt=\$p"$/);
    assert.match(resolved('qwen', 'interactive').argv[2], /"--prompt-interactive=\$p"$/);
    assert.match(resolved('aider', 'headless').argv[2], /--yes-always --message-file "\$CONDUCTOR_PROMPT_FILE"/);
    assert.match(resolved('aider', 'interactive').argv[2], /--read "\$CONDUCTOR_PROMPT_FILE"/);
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
  test('Claude Code gets a Stop hook in .claude/settings.local.json; the others get nothing', () => {
    const s = nativeHookSettings('claude');
    assert.ok(s);
    assert.equal(s.path, CLAUDE_SETTINGS_FILE);
    assert.equal(s.hookCommand, CLAUDE_STOP_HOOK_COMMAND);
    assert.deepEqual(JSON.parse(s.content), {
      hooks: { Stop: [{ hooks: [{ type: 'command', command: '"$CONDUCTOR_HOOK" complete --summary "Claude Code session ended"' }] }] },
    });
    for (const id of ['codex', 'gemini', 'qwen', 'aider', 'custom', 'node agent.mjs']) assert.equal(nativeHookSettings(id), null, id);
  });
});

describe('mergeClaudeSettings', () => {
  const hook = CLAUDE_STOP_HOOK_COMMAND;

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
        Stop: [...existing.hooks.Stop, { hooks: [{ type: 'command', command: hook }] }],
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
    }
  });

  test('an existing file that already runs the hook (in any group) is left byte-for-byte', () => {
    const text = '{ "hooks": { "Stop": [ { "matcher": "", "hooks": [ {"type": "command", "command": "x"}, {"type": "command", "command": ' +
      JSON.stringify(hook) + '} ] } ] } }';
    assert.deepEqual(merged(text), { ok: true, text, changed: false });
  });

  test('malformed files are reported, not overwritten', () => {
    for (const [text, pattern] of [
      ['{ "hooks": ', /not valid JSON/],
      ['[1, 2]', /JSON object/],
      ['{"hooks": []}', /"hooks" must be an object/],
      ['{"hooks": {"Stop": {}}}', /"hooks.Stop" must be a list/],
    ] as const) {
      const r = mergeClaudeSettings(text, hook);
      assert.ok(!r.ok && pattern.test(r.error), `${text} -> ${JSON.stringify(r)}`);
      assert.ok(!r.ok && r.error.includes(CLAUDE_SETTINGS_FILE));
    }
  });
});
