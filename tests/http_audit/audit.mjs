// Runs the GraphQL over HTTP spec's audit suite (graphql-http's auditServer) against a live server.
// Usage: node audit.mjs <url> (or GRAPHQL_URL) with GRAPHQL_TOKEN holding a Bearer token.
// Prints {"ok", "warn", "notice", "error", "total", "results"} as JSON on stdout; exits 1 unless every audit passed.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? process.env.GRAPHQL_URL;
const token = process.env.GRAPHQL_TOKEN;
if (!url) {
  console.error('usage: node audit.mjs <url> (or set GRAPHQL_URL); GRAPHQL_TOKEN holds the Bearer token');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: withToken });
const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
const reported = [];
for (const result of results) {
  counts[result.status] += 1;
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.status_code = result.response.status;
    entry.body = await result.response.text().catch(() => '(body already read)');
  }
  reported.push(entry);
}
console.log(JSON.stringify({ ...counts, total: results.length, results: reported }, null, 2));
process.exit(counts.ok === results.length ? 0 : 1);
