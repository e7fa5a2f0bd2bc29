// The timeline webview's page: the SVG inlined, no scripts, and a policy that allows nothing but
// the page's own style sheet — the picture's text comes from specs, so nothing in it may load or run.
// No vscode import, so tests can read it.

export function timelineHtml(svg: string, nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conductor Timeline</title>
<style nonce="${nonce}">
  body { margin: 0; padding: 16px; background: var(--vscode-editor-background); }
  svg { display: block; max-width: 100%; height: auto; border-radius: 6px; box-shadow: 0 0 0 1px var(--vscode-widget-border, transparent); }
</style>
</head>
<body>
${svg}
</body>
</html>
`;
}
