#!/usr/bin/env node
// A scripted model server for tests: speaks the APIs the real agent CLIs call (Anthropic Messages,
// OpenAI Responses and Chat Completions, Gemini generateContent), answering every request from the
// script in script.mjs. Loopback only; plain Node, no dependencies.
//
//   import { startModelServer } from './server.mjs';
//   const server = await startModelServer({ default: 'diligent', modules: { cart: 'fail' } });
//   server.url            // http://127.0.0.1:<port>
//   server.requests       // every request: { dialect, method, path, body, status, module }
//   server.config         // mutable: change scenarios between runs
//   await server.close();
//
// Or as a process: `node server.mjs [config.json]` prints `listening <url>` and serves until killed.
//
// Config (all optional):
//   default, modules                           scenario per module, see script.mjs
//   rateLimit: { modules: [..] | '*', untilMs, message }
//                                              answer 429 (usage limit, with the reset time) to those
//                                              modules' requests until untilMs (epoch ms)
//
// Each dialect module exports `routes`: [{ method, path: RegExp, handle(ctx) }], where ctx is
// { req, res, url, match, body, config, step(conversation), rateLimited(conversation), record(extra) }.

import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { nextStep, readPrompt } from './script.mjs';

export { json, sse } from './wire.mjs';

const DIALECTS = ['anthropic', 'openaiResponses', 'openaiChat', 'gemini'];

async function loadRoutes() {
  const routes = [];
  for (const name of DIALECTS) {
    let mod;
    try {
      mod = await import(`./dialects/${name}.mjs`);
    } catch (e) {
      if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(`${name}.mjs`)) continue;
      throw e;
    }
    for (const r of mod.routes ?? []) routes.push({ ...r, dialect: name });
  }
  return routes;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startModelServer(config = {}, options = {}) {
  const routes = await loadRoutes();
  const requests = [];
  const state = { config };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req).catch(() => '');
    let body = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const entry = { dialect: null, method: req.method, path: url.pathname, body, status: 200, module: null, step: null, at: Date.now() };
    requests.push(entry);
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const match = route.path.exec(url.pathname);
      if (!match) continue;
      entry.dialect = route.dialect;
      const ctx = {
        req,
        res,
        url,
        match,
        body,
        config: state.config,
        step(conversation) {
          const s = nextStep(conversation, state.config);
          entry.module = readPrompt(conversation.text).module;
          entry.step = s;
          return s;
        },
        /** The usage-limit answer for this conversation's module, or null: { resetAtMs, message }. */
        rateLimited(conversation) {
          const rl = state.config.rateLimit;
          if (!rl || Date.now() >= rl.untilMs || !conversation.hasTools) return null;
          const m = readPrompt(conversation.text).module;
          if (rl.modules !== '*' && !(rl.modules ?? []).includes(m)) return null;
          entry.module = m;
          entry.status = 429;
          const resetAt = new Date(rl.untilMs).toISOString();
          return { resetAtMs: rl.untilMs, message: rl.message ?? `Usage limit reached for the scripted model; it resets at ${resetAt}.` };
        },
        record(extra) {
          Object.assign(entry, extra);
        },
      };
      try {
        await route.handle(ctx);
      } catch (e) {
        entry.status = 500;
        entry.error = String(e?.stack ?? e);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `scripted model server: ${e?.message ?? e}` } }));
      }
      return;
    }
    entry.status = 404;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'not_found', message: `scripted model server: no route for ${req.method} ${url.pathname}` } }));
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get config() {
      return state.config;
    },
    set config(c) {
      state.config = c;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : {};
  const s = await startModelServer(config, { port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`listening ${s.url}\n`);
}
