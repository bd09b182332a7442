import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { emitOutbound, emitOutboundAll, outboundEventIdFor } from './emit.js';
import { freshDatabase as fresh } from '../../testing/databases.js';
import { emptyEffects } from '../effects.js';
import { writeEffects } from '../write-effects.js';
import { OutboundEnvelopeSchema } from './schemas.js';

const refund = (booking_id: string, refund_id: string) => ({
  type: 'refund.issued' as const, booking_id, occurred_at: '2026-09-01T12:00:00Z', inbox_id: 1,
  data: { booking_id, refund_id, amount_minor: 500, currency: 'EUR', rule: { policy: 'cancellation/moderate', version: 1, hash: `sha256:${'a'.repeat(64)}` }, decision_id: 'd1', entry_ids: [`refund:${refund_id}`] },
});

for (const dialect of dialects()) {
  describe(`emitOutbound on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
    });
    after(async () => t.drop());

    test('seq counts per booking, per host for host-only events; the same fact is one event with one id', async () => {
      const a1 = await t.db.transaction((trx) => emitOutbound(trx, refund('bk_1', 're_1')));
      const b1 = await t.db.transaction((trx) => emitOutbound(trx, refund('bk_2', 're_2')));
      const a2 = await t.db.transaction((trx) => emitOutbound(trx, refund('bk_1', 're_3')));
      const again = await t.db.transaction((trx) => emitOutbound(trx, refund('bk_1', 're_1')));
      const h1 = await t.db.transaction((trx) => emitOutbound(trx, {
        type: 'subscription.past_due', host_id: 'host_9', occurred_at: '2026-09-01T12:00:00Z', inbox_id: 2, key: 'sub_1:past_due:2',
        data: { host_id: 'host_9', subscription_id: 'sub_1', amount_minor: 0, currency: 'EUR', rule: null, decision_id: null, entry_ids: [] },
      }));
      assert.deepEqual([a1.seq, b1.seq, a2.seq, h1.seq], [1, 1, 2, 1]);
      assert.deepEqual(again, { event_id: a1.event_id, seq: 1, emitted: false });
      assert.equal(a1.event_id, outboundEventIdFor('refund.issued', 'booking:bk_1', 'refund:re_1'));
      const row = await t.db('outbound_events').where({ event_id: h1.event_id }).first();
      const body = OutboundEnvelopeSchema.parse(JSON.parse(row.body));
      assert.deepEqual({ id: body.id, seq: body.seq, host_id: body.host_id, booking_id: body.booking_id }, { id: h1.event_id, seq: 1, host_id: 'host_9', booking_id: undefined });
    });

    test('data that does not match the published schema is refused, outside a transaction too', async () => {
      const bad = { ...refund('bk_3', 're_9'), data: { ...refund('bk_3', 're_9').data, amount_minor: 1.5 } };
      await assert.rejects(t.db.transaction((trx) => emitOutbound(trx, bad)), /does not match its published schema/);
      await assert.rejects(emitOutbound(t.db, refund('bk_3', 're_9')), /must run in the transaction/);
      assert.equal((await t.db('outbound_events').where({ booking_id: 'bk_3' })).length, 0);
    });

    test('an outbound effect is written by writeEffects with the batch', async () => {
      const fx = emptyEffects();
      fx.outbound.push(refund('bk_fx', 're_fx1'), refund('bk_fx', 're_fx2'));
      await t.db.transaction((trx) => writeEffects(trx, fx));
      await t.db.transaction((trx) => writeEffects(trx, fx)); // written twice: one effect
      const rows = await t.db('outbound_events').where({ booking_id: 'bk_fx' }).orderBy('seq');
      assert.deepEqual(rows.map((r: { seq: unknown }) => Number(r.seq)), [1, 2]);
    });

    test('emitOutboundAll writes the very rows, seqs and order that emitOutbound once per input writes', async () => {
      const inputs = [
        refund('bk_a', 're_a1'), refund('bk_b', 're_b1'), refund('bk_a', 're_a2'),
        refund('bk_a', 're_a1'), // the same fact twice in one batch: one event
        refund('bk_old', 're_old'), // already written before the batch
        { type: 'subscription.past_due' as const, host_id: 'host_a', occurred_at: '2026-09-01T12:00:00Z', inbox_id: 3, key: 'sub_a:past_due:1', data: { host_id: 'host_a', subscription_id: 'sub_a', amount_minor: 0, currency: 'EUR', rule: null, decision_id: null, entry_ids: [] } },
      ];
      const one = await fresh(dialect);
      const all = await fresh(dialect);
      try {
        for (const db of [one.db, all.db]) await db.transaction((trx) => emitOutbound(trx, refund('bk_old', 're_old')));
        for (const db of [one.db, all.db]) await db.transaction((trx) => emitOutbound(trx, refund('bk_a', 're_a0')));
        await one.db.transaction(async (trx) => {
          for (const i of inputs) await emitOutbound(trx, i);
        });
        const statements = await all.db.transaction((trx) => emitOutboundAll(trx, inputs));
        assert.equal(statements, 3, 'two reads and one insert for the batch');
        const rows = (db: typeof one.db) => db('outbound_events').orderBy('id').select('id', 'event_id', 'stream_key', 'seq', 'body');
        const expected = await rows(one.db);
        assert.equal(expected.length, 6);
        assert.deepEqual(await rows(all.db), expected);
        assert.equal(await all.db.transaction((trx) => emitOutboundAll(trx, inputs)), 2, 'again: two reads, nothing new to write');
        assert.deepEqual(await rows(all.db), expected);
      } finally {
        await one.drop();
        await all.drop();
      }
    });
  });
}
