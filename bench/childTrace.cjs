// Bench-only: preloaded into the `conductor` CLI process (node --require bench/childTrace.cjs) to say
// where its time goes. Counts and times the processes it starts (git by subcommand, agents), its
// writes of state.json and their fsyncs, and reports its own CPU time and peak RSS. Written as JSON
// to $BENCH_TRACE_FILE when the process exits. Never loaded by the product or by tests.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload for a plain node process */
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const out = process.env.BENCH_TRACE_FILE;
if (out) {
  const bootMs = performance.now();
  const spawns = {};
  const add = (table, key, ms) => {
    const s = (table[key] ??= { n: 0, ms: 0 });
    s.n++;
    s.ms += ms;
  };
  const spawn = cp.spawn;
  cp.spawn = function (command, args) {
    const start = performance.now();
    const child = spawn.apply(this, arguments);
    const list = Array.isArray(args) ? args.filter((a) => !a.startsWith('--no-optional-locks')) : [];
    const key = path.basename(String(command)) === 'git' ? `git ${list[0] ?? ''}` : 'agent';
    child.once('exit', () => add(spawns, key, performance.now() - start));
    return child;
  };
  const io = {};
  const promises = fs.promises;
  const rename = promises.rename;
  promises.rename = async function (from, to) {
    const start = performance.now();
    try {
      return await rename.apply(this, arguments);
    } finally {
      if (path.basename(String(to)) === 'state.json') add(io, 'state.json writes', performance.now() - start);
    }
  };
  const open = promises.open;
  promises.open = async function () {
    const handle = await open.apply(this, arguments);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      const start = performance.now();
      try {
        return await sync();
      } finally {
        add(io, 'fsync', performance.now() - start);
      }
    };
    return handle;
  };
  // Sampled, not getrusage's maxRSS: Linux keeps that across execve, so a CLI started from a big
  // bench process (after the spec bench's 1.2 MB plans, say) would report the bench's peak as its own.
  let maxRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage.rss())), 50);
  sampler.unref();
  process.once('exit', () => {
    const cpu = process.cpuUsage();
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
    fs.writeFileSync(out, JSON.stringify({
      bootMs,
      wallMs: performance.now(),
      cpuUserMs: cpu.user / 1000,
      cpuSysMs: cpu.system / 1000,
      maxRssKb: Math.round(maxRss / 1024),
      spawns,
      io,
    }));
  });
}
