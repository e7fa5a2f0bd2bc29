// The sample project of `npm run demo`: a small bookshop with a plan and contracts.

export const SAMPLE_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'bookshop', private: true, type: 'module', scripts: { test: 'node --test test/' } }, null, 2)}\n`,
  '.gitignore': 'node_modules/\n',
  'README.md': '# Bookshop\n\nA sample project for Spec Conductor.\n',
  'test/smoke.test.js': "import { test } from 'node:test';\ntest('the project runs', () => {});\n",
  'READY.md': `# Bookshop

A tiny bookshop, built by four agents in parallel.

## Implementation Phases

### Phase 1: Storefront
- Customers can browse, search and buy books

**Modules:** catalog, search, cart, checkout

#### Success Criteria
- \`npm test\` passes with 0 failures

#### Known Gotchas
- Prices are integers in cents, never floats

#### Expected Files
- \`src/catalog/index.js\`
- \`src/search/index.js\`
- \`src/cart/index.js\`
- \`src/checkout/index.js\`

#### Test Commands
- \`npm test\`
`,
  'contracts/catalog.md': `---
feature_id: feature-001-catalog
provides:
  api: [listBooks(), getBook(id)]
  files: [src/catalog/**]
depends_on: []
acceptance_criteria:
  - "\`listBooks()\` returns every book with id, title and price in cents"
  - "\`getBook(99)\` returns null for an unknown id"
---
`,
  'contracts/search.md': `---
feature_id: feature-002-search
provides:
  api: [search(q)]
  files: [src/search/**]
depends_on: [feature-001-catalog]
acceptance_criteria:
  - "\`search('dun')\` returns the book with id 1"
---
`,
  'contracts/cart.md': `---
feature_id: feature-003-cart
provides:
  api: [createCart(), addItem(cart, id), total(cart)]
  files: [src/cart/**]
depends_on: [feature-001-catalog]
acceptance_criteria:
  - "\`addItem\` with an unknown book returns status 404"
  - "\`total\` is the sum of the prices in cents"
---
`,
  'contracts/checkout.md': `---
feature_id: feature-004-checkout
provides:
  api: [checkout(cart)]
  files: [src/checkout/**]
depends_on: [feature-003-cart]
acceptance_criteria:
  - "\`checkout\` of an empty cart returns status 400"
  - "\`checkout\` returns status 201 with the order amount"
---
`,
};
