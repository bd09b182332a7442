import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { startHarness } from '../testing/harness.js';
import { confirmed, eventId, total } from '../testing/events.js';
import { paymentSucceeded } from '../http/stripe-fixtures.test-helper.js';
import { postStripeWebhook } from '../client/signed-client.js';
import { WEBHOOK_SECRET } from '../testing/harness.js';
import { startSidecar, StartupError } from '../server.js';
import { testConfig } from '../testing/harness.js';

const POLICIES = new URL('../../../policies', import.meta.url).pathname;

for (const dialect of dialects()) {
  describe(`publishing a policy version on ${dialect}`, () => {
    let t: TestDatabase;
    let dir: string;
    before(async () => {
      t = await freshDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'mybnb-policies-'));
      cpSync(POLICIES, dir, { recursive: true });
    });
    after(async () => {
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a new version is logged once when first seen, binds new bookings only, and never changes an existing one', async () => {
      const first = await startHarness(dialect, { t, config: { policyDir: dir } });
      const old = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_old', payment_intent_id: 'pi_1PolicyOld' });
      await first.engine.event(old);
      await postStripeWebhook(first.sidecar.url, paymentSucceeded({ booking_id: 'bk_old', payment_intent_id: 'pi_1PolicyOld', amount: total(old.data), created: 1788300000 }), WEBHOOK_SECRET);
      await first.settle();
      const at = '2026-10-07T12:00:00Z'; // 3 days 1 h before check-in
      const before = await first.reader.get(`/preview/outcome?action=cancel&booking_id=bk_old&by=guest&at=${at}`);
      assert.equal(before.body.rule.version, 1);
      await first.stop();

      // v2 of moderate: the full-refund window is 2 days instead of 5
      const v1 = JSON.parse(readFileSync(join(dir, 'cancellation/moderate/v1.json'), 'utf8'));
      const v2 = structuredClone(v1);
      v2.version = 2;
      v2.rules.windows[0].when.min_before_check_in = { days: 2 };
      v2.rules.windows[0].label = '≥ 2 days before check-in';
      writeFileSync(join(dir, 'cancellation/moderate/v2.json'), JSON.stringify(v2, null, 2));

      const second = await startHarness(dialect, { t, config: { policyDir: dir } });
      try {
        const published = await second.sidecar.db('inbox_events').where({ source: 'policy', event_id: 'cancellation/moderate/v2' }).select('id');
        assert.equal(published.length, 1, 'policy.published appended once, when first seen');
        const neuEvent = confirmed('2026-09-02T10:00:00Z', { booking_id: 'bk_new', payment_intent_id: 'pi_1PolicyNew' });
        await second.engine.event(neuEvent);
        await postStripeWebhook(second.sidecar.url, paymentSucceeded({ booking_id: 'bk_new', payment_intent_id: 'pi_1PolicyNew', amount: total(neuEvent.data), created: 1788400000 }), WEBHOOK_SECRET);
        await second.settle();
        const old = await second.reader.get(`/preview/outcome?action=cancel&booking_id=bk_old&by=guest&at=${at}`);
        const neu = await second.reader.get(`/preview/outcome?action=cancel&booking_id=bk_new&by=guest&at=${at}`);
        assert.equal(old.body.rule.version, 1, 'the existing booking stays on the version it was confirmed under');
        assert.equal(old.body.outcome_hash, before.body.outcome_hash, 'and its outcome does not change');
        assert.equal(neu.body.rule.version, 2);
        assert.equal(neu.body.outcome.lines.nightly_refund, 30000, 'v2: 3 days before is still a full refund');
        assert.ok(old.body.outcome.lines.nightly_refund < 30000, 'v1: 3 days before is partial');
        const list = await second.reader.get('/policies');
        assert.ok(list.body.policies.some((p: { id: string; version: number }) => p.id === 'moderate' && p.version === 2));
      } finally {
        await second.stop();
      }
    });

    test('a published version whose file changed afterwards stops the service: publish a new version instead', async () => {
      const v2 = JSON.parse(readFileSync(join(dir, 'cancellation/moderate/v2.json'), 'utf8'));
      v2.title = `${v2.title} (edited)`;
      writeFileSync(join(dir, 'cancellation/moderate/v2.json'), JSON.stringify(v2));
      await assert.rejects(startSidecar(testConfig(t, { policyDir: dir }), { logger: pino({ level: 'silent' }) }), (e) => e instanceof StartupError && /changed after it was published/.test(e.message));
    });

    test('a confirmation naming an unknown policy is a 422 and writes nothing', async () => {
      const h = await startHarness(dialect, { t, config: { policyDir: POLICIES } });
      try {
        const count = async () => Number((await h.sidecar.db('inbox_events').count({ n: '*' }).first())?.n);
        const n = await count();
        const r = await h.engine.event({ ...confirmed('2026-09-03T10:00:00Z', { booking_id: 'bk_unknown_policy', payment_intent_id: 'pi_1Unknown', cancellation_policy: 'super_flexible' }), id: eventId() });
        assert.equal(r.status, 422);
        assert.equal(r.body.code, 'unknown_policy');
        assert.equal(await count(), n);
      } finally {
        await h.stop();
      }
    });
  });
}
