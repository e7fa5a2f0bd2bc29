#!/usr/bin/env node
// The demo agent: stands in for an AI coding CLI in `npm run demo`. It reads its prompt, writes a
// small module and its test into its worktree, commits, and reports through $CONDUCTOR_HOOK like a
// real agent's completion hook would. No network, no model: the code it writes is canned.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const env = process.env;
const id = env.CONDUCTOR_MODULE;
const hook = (...args) => execFileSync(env.CONDUCTOR_HOOK, args, { stdio: 'inherit' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const git = (...args) => execFileSync('git', args, { stdio: 'pipe' });

const CODE = {
  catalog: `const BOOKS = [
  { id: 1, title: 'Dune', price: 999 },
  { id: 2, title: 'Emma', price: 599 },
];
export function listBooks() { return BOOKS.map((b) => ({ ...b })); }
export function getBook(id) { return BOOKS.find((b) => b.id === id) ?? null; }
`,
  search: `import { listBooks } from '../catalog/index.js';
export function search(q) {
  const needle = q.toLowerCase();
  return listBooks().filter((b) => b.title.toLowerCase().includes(needle));
}
`,
  cart: `import { getBook } from '../catalog/index.js';
export function createCart() { return { items: [] }; }
export function addItem(cart, bookId) {
  const book = getBook(bookId);
  if (!book) return { status: 404 };
  cart.items.push(book);
  return { status: 200 };
}
export function total(cart) { return cart.items.reduce((sum, b) => sum + b.price, 0); }
`,
  checkout: `import { total } from '../cart/index.js';
export function checkout(cart) {
  if (cart.items.length === 0) return { status: 400 };
  return { status: 201, order: { amount: total(cart), items: cart.items.length } };
}
`,
};

const TESTS = {
  catalog: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { listBooks, getBook } from '../src/catalog/index.js';\ntest('lists books', () => assert.equal(listBooks().length, 2));\ntest('unknown ids are null', () => assert.equal(getBook(99), null));\n`,
  search: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { search } from '../src/search/index.js';\ntest('finds by title', () => assert.deepEqual(search('dun').map((b) => b.id), [1]));\n`,
  cart: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { createCart, addItem, total } from '../src/cart/index.js';\ntest('adds and totals', () => { const c = createCart(); addItem(c, 1); addItem(c, 2); assert.equal(total(c), 1598); });\ntest('unknown book is 404', () => assert.equal(addItem(createCart(), 9).status, 404));\n`,
  checkout: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { createCart, addItem } from '../src/cart/index.js';\nimport { checkout } from '../src/checkout/index.js';\ntest('checkout makes an order', () => { const c = createCart(); addItem(c, 1); assert.equal(checkout(c).status, 201); });\n`,
};

async function main() {
  const prompt = readFileSync(env.CONDUCTOR_PROMPT_FILE, 'utf8');
  console.log(`demo agent for ${id}, attempt ${env.CONDUCTOR_ATTEMPT}: read a ${prompt.length}-character prompt`);
  hook('started', '--summary', `reading the contract of ${id}`);
  await sleep(400 + Math.random() * 800);
  if (!CODE[id]) {
    hook('failed', '--summary', `the demo agent has no canned code for module ${id}`);
    process.exit(1);
  }
  mkdirSync(`src/${id}`, { recursive: true });
  mkdirSync('test', { recursive: true });
  writeFileSync(`src/${id}/index.js`, CODE[id]);
  hook('progress', '--summary', `wrote src/${id}/index.js`);
  await sleep(300 + Math.random() * 600);
  writeFileSync(`test/${id}.test.js`, TESTS[id]);
  git('add', '-A');
  git('commit', '-q', '-m', `${id}: implement the contract`);
  hook('complete', '--summary', `implemented ${id} with tests`, '--files', `src/${id}/index.js,test/${id}.test.js`, '--tests-passing', 'true');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
