// Contracts shared by the contract parser's example and fuzz tests.

// Seed 001, "The Anatomy of a Contract", exactly as written there.
export const SEED = `'contract.md'

1. \`feature_id\`

\`feature-002-product-catalog\`

2. 'provides'

API: \`GET /products\`, \`GET /products/{id}\`, \`PATCH /products/{id}/stock\` Data Model: \`Product\` schema (id, name, price, stock)

3. \`depends_on\`

Feature: \`feature-001-authentication\` (for user context)

Service: \`Shared Logging Service\`

4. \`acceptance_criteria\`

Functionality: All endpoints implemented per spec.

Performance: \`GET\` requests < 100ms (p95).

Integration: Feature 3 can successfully call \`PATCH\` endpoint.
`;

export const FRONTMATTER = `---
feature_id: feature-003-cart
phase: "Phase 2"
module: cart
provides:
  api: [GET /cart, POST /cart/items]
  files:
    - src/cart/api.ts
  data: Cart schema
depends_on:
  - feature-002-product-catalog
  - service: "Shared Logging"
  - {module: auth, note: for sessions}
acceptance_criteria:
  - "\`npm test\` exits 0"
  - Performance: GET /cart < 100ms
owns:
  - src/cart/**
---

# Cart

Free text about the cart.
`;

export const HEADINGS = `# Contract: Shopping cart

## Feature ID
\`feature-003-cart\`

## Phase
Phase 2

## Provides
- API:
  - \`GET /cart\`
  - \`POST /cart/items\`
- Files: \`src/cart/api.ts\`, \`src/cart/model.ts\`

## Depends on
- \`feature-001-auth\`, \`feature-002-catalog\`
- Module: \`shared\`

## Acceptance Criteria
- [ ] \`GET /cart\` responds in < 100ms
- Adding an unknown product returns 404
  with a JSON error body

\`\`\`
## owns
not a header: inside a code block
\`\`\`

## Owns
- \`src/cart/**\`

## Notes
- not a criterion
`;

export const MIXED = `---
feature_id: feature-004-checkout
depends_on: [feature-003-cart]
title: Checkout
---

# Checkout

## depends_on
- \`ignored-because-frontmatter-wins\`

## Provides
- \`POST /checkout\`

## Acceptance criteria
1. \`POST /checkout\` returns 201 with an order id
2) Payment failures return 402
`;
