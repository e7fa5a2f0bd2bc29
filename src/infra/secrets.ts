// Per-attempt secrets: the token an agent's hook writes into every status line. The state file keeps
// only its hash, so reading state.json does not tell one agent another's token.
import { createHash, randomBytes } from 'node:crypto';
import type { Secrets } from '../core/ports';

export const nodeSecrets: Secrets = {
  newToken: () => randomBytes(18).toString('base64url'),
  hash: (token) => createHash('sha256').update(token).digest('hex'),
};
