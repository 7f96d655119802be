/**
 * A small, self-contained docs page generated from the OpenAPI document: no script, no CDN,
 * so it works offline (SOCs often run without Internet access) under a strict CSP. Tools
 * that want the full description read /api/v1/openapi.json.
 */
interface Op {
  summary?: string;
  operationId?: string;
  tags?: string[];
  security?: unknown;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

export function docsPage(doc: {
  info: { title: string; version: string };
  paths?: Record<string, Record<string, Op>>;
}): string {
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(ops))
      rows.push(
        `<tr><td class="m ${esc(method)}">${esc(method.toUpperCase())}</td><td><code>/api/v1${esc(path)}</code></td><td>${esc(op.tags?.join(', ') ?? '')}</td><td>${esc(op.summary ?? op.operationId ?? '')}</td></tr>`,
      );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}.m{font-weight:bold}.get{color:#06c}.post{color:#080}.put,.patch{color:#a60}.delete{color:#c00}</style>
</head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code>. Authenticate with <code>Authorization: Bearer &lt;access token&gt;</code> from <code>POST /api/v1/auth/login</code>, or <code>Authorization: ApiKey &lt;key&gt;</code>.</p>
<table><thead><tr><th>method</th><th>path</th><th>tag</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`;
}
