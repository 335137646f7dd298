// Runs graphql-http's serverAudits (GraphQL over HTTP) against a running /graphql and prints one
// JSON line: [{id, name, status: "ok" | "warn" | "error" | "notice", reason}]. The judging, with
// the audits the 2026 draft overrides, is tests/service/test_http_audit.py.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason ?? null });
}
console.log(JSON.stringify(results));
