import { canonicalJson, sha256Hex } from '../../kernel/index.js';
import { assert } from '../../kernel/assert.js';
import { isUniqueViolation, toInt, type Db } from '../../db/connect.js';
import type { OutboundData, OutboundEnvelope, OutboundEventType } from './catalogue.js';
import { OUTBOUND_DATA } from './schemas.js';
import { insertRows } from '../ledger/multi-row-insert.js';

/**
 * What a handler (or any flow) says when the ledger commits a fact the booking engine must hear of.
 * `booking_id` puts the event in its booking's sequence; a host-only event gives `host_id` alone.
 * `key` names the fact (default: the entry ids it announces); with the type and the stream it
 * makes the event id, so a replay, or a second report of the same fact, makes the same event.
 */
export type EmitInput<T extends OutboundEventType> = {
  type: T;
  booking_id?: string | null;
  host_id?: string | null;
  /** The stream when there is neither a booking nor a host (a guest's credits without a booking). */
  guest_id?: string | null;
  /** The platform's own stream (reconciliation.mismatch, issue #12): a fact of no booking, host or guest. */
  platform?: boolean;
  occurred_at: string;
  inbox_id: number;
  data: OutboundData[T];
  key?: string;
};

export type Emitted = { event_id: string; seq: number; emitted: boolean };

const MAX_SEQ_RETRIES = 8;

export function outboundEventIdFor(type: OutboundEventType, stream_key: string, key: string): string {
  return `evt_${sha256Hex(`${type}\n${stream_key}\n${key}`).slice(0, 32)}`;
}

export function streamKeyOf(x: { booking_id?: string | null; host_id?: string | null; guest_id?: string | null; platform?: boolean }): string {
  if (x.booking_id) return `booking:${x.booking_id}`;
  if (x.host_id) return `host:${x.host_id}`;
  if (!x.guest_id && x.platform) return 'platform';
  assert(!!x.guest_id, 'an outbound event needs a booking_id, a host_id, a guest_id or platform');
  return `guest:${x.guest_id}`;
}

/**
 * Writes an outbound event in the caller's transaction — the one that commits the ledger fact —
 * so the event exists if and only if the fact does. Emitting the same fact again is a no-op.
 * Delivery is the OutboundWorker's job, after the commit.
 */
export async function emitOutbound<T extends OutboundEventType>(trx: Db, input: EmitInput<T>): Promise<Emitted> {
  assert(trx.isTransaction, 'emitOutbound must run in the transaction that commits the fact');
  const { stream_key, event_id } = named(input);
  const existing = await trx('outbound_events').where({ event_id }).first('seq');
  if (existing) return { event_id, seq: toInt(existing.seq), emitted: false };
  for (let attempt = 0; ; attempt++) {
    const last = await trx('outbound_events').where({ stream_key }).max({ m: 'seq' }).first();
    const seq = toInt(last?.m ?? 0) + 1;
    try {
      const r = rowOf(input, event_id, stream_key, seq);
      await trx('outbound_events').insert(Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]])));
      return { event_id, seq, emitted: true };
    } catch (e) {
      // Another process took this seq of the stream first: take the next one.
      if (!isUniqueViolation(e) || attempt >= MAX_SEQ_RETRIES) throw e;
      const raced = await trx('outbound_events').where({ event_id }).first('seq');
      if (raced) return { event_id, seq: toInt(raced.seq), emitted: false };
    }
  }
}

const COLUMNS = ['event_id', 'type', 'stream_key', 'seq', 'booking_id', 'host_id', 'occurred_at', 'inbox_id', 'body'] as const;

/** Checks the data against its published schema and names the event (its stream and id). */
function named<T extends OutboundEventType>(input: EmitInput<T>): { stream_key: string; event_id: string } {
  const checked = OUTBOUND_DATA[input.type].safeParse(input.data);
  assert(checked.success, `outbound ${input.type} data does not match its published schema: ${checked.success ? '' : checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const stream_key = streamKeyOf(input);
  const key = input.key ?? (input.data.entry_ids.length ? input.data.entry_ids.join(',') : input.data.decision_id);
  assert(!!key, `outbound ${input.type} needs a key, entry ids or a decision id to name its fact`);
  return { stream_key, event_id: outboundEventIdFor(input.type, stream_key, key!) };
}

function rowOf<T extends OutboundEventType>(input: EmitInput<T>, event_id: string, stream_key: string, seq: number): unknown[] {
  const envelope: OutboundEnvelope = {
    id: event_id, type: input.type, occurred_at: input.occurred_at,
    ...(input.booking_id ? { booking_id: input.booking_id } : {}),
    ...(input.host_id ? { host_id: input.host_id } : {}),
    seq, data: input.data as unknown as Record<string, unknown>,
  };
  return [event_id, input.type, stream_key, seq, input.booking_id ?? null, input.host_id ?? null, input.occurred_at, input.inbox_id, canonicalJson(envelope)];
}

const IN_LIST_MAX = 500;

/**
 * A batch's outbound events in a constant number of statements — the ids already taken, the last
 * seq of each stream, one multi-row INSERT — with exactly the rows, seqs and emit order that
 * `emitOutbound` called once per input, in order, would write (an event already written, or named
 * twice in the batch, is written once). If the INSERT meets a key another process took meanwhile
 * (the statement alone is rolled back), the inputs go through `emitOutbound` one by one.
 * Returns the statements run.
 */
export async function emitOutboundAll(trx: Db, inputs: Array<EmitInput<OutboundEventType>>): Promise<number> {
  assert(trx.isTransaction, 'emitOutbound must run in the transaction that commits the fact');
  if (inputs.length === 0) return 0;
  const named_ = inputs.map((input) => ({ input, ...named(input) }));
  let statements = 0;
  const taken = new Set<string>();
  const lastSeq = new Map<string, number>();
  const eventIds = [...new Set(named_.map((n) => n.event_id))];
  const streams = [...new Set(named_.map((n) => n.stream_key))];
  for (let i = 0; i < eventIds.length; i += IN_LIST_MAX) {
    const rows = (await trx('outbound_events').whereIn('event_id', eventIds.slice(i, i + IN_LIST_MAX)).select('event_id')) as Array<{ event_id: string }>;
    statements++;
    for (const r of rows) taken.add(r.event_id);
  }
  for (let i = 0; i < streams.length; i += IN_LIST_MAX) {
    const rows = (await trx('outbound_events').whereIn('stream_key', streams.slice(i, i + IN_LIST_MAX)).groupBy('stream_key').select('stream_key').max({ m: 'seq' })) as Array<{ stream_key: string; m: unknown }>;
    statements++;
    for (const r of rows) lastSeq.set(r.stream_key, toInt(r.m ?? 0));
  }
  const rows: unknown[][] = [];
  for (const n of named_) {
    if (taken.has(n.event_id)) continue;
    taken.add(n.event_id);
    const seq = (lastSeq.get(n.stream_key) ?? 0) + 1;
    lastSeq.set(n.stream_key, seq);
    rows.push(rowOf(n.input, n.event_id, n.stream_key, seq));
  }
  try {
    statements += await insertRows(trx, 'outbound_events', [...COLUMNS], rows);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    for (const input of inputs) {
      await emitOutbound(trx, input);
      statements += 2;
    }
  }
  return statements;
}
