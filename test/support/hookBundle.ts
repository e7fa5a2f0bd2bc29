// The completion hook as the extension ships it: src/hook.ts bundled by esbuild into one script.
import * as path from 'node:path';
import * as esbuild from 'esbuild';

/** Bundles src/hook.ts to `outfile` (CommonJS, Node 20, with a shebang). */
export async function bundleHook(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.resolve(__dirname, '../../src/hook.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'silent',
  });
}
