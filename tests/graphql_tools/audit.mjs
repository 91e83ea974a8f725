// Runs graphql-http's auditServer (the GraphQL-over-HTTP spec's conformance audit) against the URL given
// as the first argument and prints one JSON object: counts and every result that is not ok.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const report = { ok: 0, warn: 0, error: 0, total: results.length, problems: [] };
for (const result of results) {
  report[result.status] += 1;
  if (result.status !== 'ok') {
    report.problems.push({ id: result.id, name: result.name, status: result.status, reason: result.reason });
  }
}
process.stdout.write(JSON.stringify(report) + '\n');
