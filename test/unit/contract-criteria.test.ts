import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isVagueCriterion } from '../../src/core/contract/criteria';

describe('isVagueCriterion', () => {
  const vague = [
    // Seed 001, "Vague Contracts" and the anatomy example.
    'The API should be fast',
    'Error handling should be robust',
    'Functionality: All endpoints implemented per spec.',
    'Code is clean and well tested',
    'Make sure the UI feels responsive',
    'make sure everything works',
    'Users can go back to the previous page',
    'Data flows in -> out cleanly',
    'Handles edge cases, e.g. empty carts',
    'Inputs and/or outputs are validated',
    '',
  ];
  const measurable = [
    // Seed 001, "Measurable Contracts" and the anatomy example.
    'All endpoints respond in <100ms at p95 latency',
    'Error handling covers: invalid input, DB failures, timeouts',
    'Performance: `GET` requests < 100ms (p95).',
    'Integration: Feature 3 can successfully call `PATCH` endpoint.',
    '`npm test` exits 0',
    'Returns 404 for unknown ids',
    'src/cart/api.ts exports addItem',
    'The config lives in settings.json',
    'Coverage ≥ ninety percent',
    'npm run lint passes',
    'Tests: pytest passes',
    'pytest',
    'make test passes',
    'go test passes for the cart package',
    'curl against the health endpoint succeeds',
    'DELETE removes the item',
    'The error message says "out of stock"',
    'Logs are written under logs/ for each run',
  ];

  for (const text of vague) {
    test(`vague: ${JSON.stringify(text)}`, () => assert.equal(isVagueCriterion(text), true));
  }
  for (const text of measurable) {
    test(`measurable: ${JSON.stringify(text)}`, () => assert.equal(isVagueCriterion(text), false));
  }
});
