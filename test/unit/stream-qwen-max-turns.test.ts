// Qwen Code 0.15.10 at its turn budget (`--max-session-turns`, from a module's max_turns): a plain
// line after the last stream-json event, no result event, exit 53 (seen with the real CLI in
// test/integration/agent-max-turns.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QwenStreamParser } from '../../src/core/agents/streams/qwen';

const LINE = 'Reached max session turns for this session. Increase the number of turns by specifying maxSessionTurns in settings.json.';

test('the budget line becomes an error signal naming max_turns; other plain lines say nothing', () => {
  const parser = new QwenStreamParser();
  assert.deepEqual(parser.line(LINE), [{ kind: 'error', message: "Reached its maximum number of session turns (the module's max_turns)" }]);
  assert.deepEqual(parser.line(`  ${LINE}\r`), [{ kind: 'error', message: "Reached its maximum number of session turns (the module's max_turns)" }]);
  assert.deepEqual(parser.line('The agent said: Reached max session turns for this session'), []);
});
