// Runs inside code-server's extension host (harness option `probe`): serves the E2eApi to the test
// process over HTTP on 127.0.0.1, so a test can read the extension's state at any step, not only
// right after activation. GET /<member> answers the member's value (a method is called) as JSON.
// The port and the host's pid go to the file named by PROBE_FILE_ENV; a reloaded window starts a
// new extension host, which serves again and rewrites the file.
import { renameSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { E2eApi, E2eSuite } from '../../../src/vscode/e2eHook';

export const PROBE_FILE_ENV = 'SPEC_CONDUCTOR_E2E_PROBE';

export interface ProbeAddress {
  port: number;
  /** The extension host's pid: a new one after a window reload. */
  pid: number;
}

export const tests: E2eSuite['tests'] = {
  'serve the E2eApi to the test process': async (api) => {
    const file = process.env[PROBE_FILE_ENV];
    if (!file) throw new Error(`${PROBE_FILE_ENV} is not set.`);
    const server = http.createServer((request, response) => {
      const name = decodeURIComponent((request.url ?? '/').slice(1));
      void answer(api, name).then(
        (body) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body ?? null));
        },
        (e: unknown) => {
          response.writeHead(name in api && name !== 'vscode' ? 500 : 404, { 'content-type': 'text/plain' });
          response.end(e instanceof Error ? (e.stack ?? e.message) : String(e));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address: ProbeAddress = { port: (server.address() as AddressInfo).port, pid: process.pid };
    writeFileSync(`${file}.partial`, JSON.stringify(address));
    renameSync(`${file}.partial`, file);
  },
};

async function answer(api: E2eApi, name: string): Promise<unknown> {
  if (name === 'vscode' || !(name in api)) throw new Error(`E2eApi has no member "${name}".`);
  const member = api[name as keyof E2eApi] as unknown;
  return typeof member === 'function' ? await (member as () => unknown).call(api) : member;
}
