// HTTP answers shared by the server and its dialects. Dialects import them from here, never from
// ../server.mjs: run as a process (`node server.mjs`), the server's top-level await loads the
// dialects, and a dialect waiting for server.mjs would wait for itself (exit 13, unsettled await).

/** Server-sent events: `event:` (when named) and `data:` lines per event. */
export function sse(res, events, headers = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  for (const e of events) {
    if (e.event) res.write(`event: ${e.event}\n`);
    res.write(`data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
  }
  res.end();
}

export function json(res, status, value, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}
