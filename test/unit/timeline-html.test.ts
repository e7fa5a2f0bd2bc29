// The timeline webview's page: the SVG inlined under a policy that loads and runs nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimeline } from '../../src/core/report/timeline';
import { renderTimelineSvg } from '../../src/core/report/timelineSvg';
import { timelineHtml } from '../../src/vscode/timelineHtml';

test('the page inlines the SVG, allows only its own nonce-bound style and has no script', () => {
  const svg = renderTimelineSvg(buildTimeline({ now: '2025-03-01T10:00:00.000Z', phases: [] }), '<script>alert(1)</script>');
  const html = timelineHtml(svg, 'n0nce+/=');
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)?.[1];
  assert.equal(csp, "default-src 'none'; style-src 'nonce-n0nce+/=';");
  assert.ok(html.includes(svg), 'the picture is inlined as it is');
  assert.doesNotMatch(html, /<script/i);
  assert.deepEqual([...html.matchAll(/<style([^>]*)>/g)].map((m) => m[1]), [' nonce="n0nce+/="']);
});
