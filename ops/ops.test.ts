import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createMetrics } from '../sidecar/src/http/metrics.js';

const names = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
const used = (expr: string) => [...expr.matchAll(/\b(mybnb_[a-z_]+?)(?:_bucket)?\b(?=[{\[\s)]|$)/g)].map((m) => m[1]!);

test('every alert rule parses and names only metrics the sidecar registers', () => {
  const doc = parse(readFileSync(new URL('./alerts.yml', import.meta.url), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  const rules = doc.groups.flatMap((g) => g.rules);
  assert.ok(rules.length >= 6);
  for (const r of rules) {
    assert.ok(used(r.expr).length > 0, `${r.alert} uses a metric`);
    for (const m of used(r.expr)) assert.ok(names.has(m), `${r.alert}: ${m} is not registered`);
  }
  for (const m of ['mybnb_dispatch_lag_seconds', 'mybnb_inbox_backlog_events', 'mybnb_outbox_intents', 'mybnb_outbox_retries_total', 'mybnb_reconciliation_differences', 'mybnb_outbound_delivery_failures_total']) {
    assert.ok(rules.some((r) => used(r.expr).includes(m)), `an alert watches ${m}`);
  }
});

test('the Grafana dashboard is JSON whose panels query registered metrics', () => {
  const dash = JSON.parse(readFileSync(new URL('./grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  for (const p of dash.panels) for (const t of p.targets) for (const m of used(t.expr)) assert.ok(names.has(m), `${p.title}: ${m} is not registered`);
});
