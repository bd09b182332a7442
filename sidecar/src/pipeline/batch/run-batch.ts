import type { Logger } from 'pino';
import { DomainError } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import { insertRows } from '../../flows/ledger/multi-row-insert.js';
import { settleAll, writeEffects } from '../../flows/write-effects.js';
import { parseBookingEvent } from '../../sari/booking-events.js';
import type { InboxEvent } from '../../sari/inbox.js';
import { ParkEvent, RefuseEvent, type HandlerResult } from '../context.js';
import type { DispatchEvent } from '../handler-shape.js';
import { HANDLERS } from '../handlers/index.js';
import { loadBatchBase, loadNeeds } from './load.js';
import { NeedsLoad } from './needs.js';
import { Parking } from './parking.js';
import { prefetchNeeds } from './prefetch.js';
import { BatchState } from './state.js';
import { Breather } from './breather.js';

export type DispatchStatus = 'processed' | 'ignored' | 'dead_lettered' | 'parked';
export type BatchReport = {
  /** The events of the batch that got a fate (a result or a parking), in order: the cursor moves past them. */
  done: InboxEvent[];
  statuses: DispatchStatus[];
  /** Statements the batch ran (loads and writes), for the bench and the metrics. */
  statements: number;
  /** Wall time of each phase (ms): loading before the handlers, the handlers (with their late loads), writing. */
  phases: { load_ms: number; decide_ms: number; write_ms: number };
};

export type BatchOptions = { logger: Logger; maxBatch_ms?: number; now_ms?: () => number };

const MAX_UNPARK_CHAIN = 1000;
/** A handler asking for more state than this many times is a bug in the loader: its event is dead-lettered. */
const MAX_LOADS_PER_EVENT = 64;

/**
 * One batch, one transaction: load what the events need (a constant number of statements), run
 * each handler as a decision over that state in inbox order (parked events of a stream run again
 * as soon as an event of the stream is processed), then write every effect — entries with
 * `postEntries`, every other table and the results and parkings as multi-row INSERTs.
 */
export async function runBatch(db: Db, events: InboxEvent[], opts: BatchOptions): Promise<BatchReport> {
  return db.transaction(async (trx) => {
    const t0 = performance.now();
    const state = new BatchState();
    let statements = await loadBatchBase(trx, state);
    const parking = await Parking.load(trx);
    statements += 2;
    const breather = new Breather();
    const parsed: Array<{ event: InboxEvent; payload: Parsed }> = [];
    for (const e of events) {
      parsed.push({ event: e, payload: safePayload(e) });
      await breather.maybe();
    }
    statements += await loadNeeds(trx, state, prefetchNeeds(parsed.filter((p) => p.payload.ok).map((p) => ({ ...p.event, payload: (p.payload as { ok: true; value: Record<string, unknown> }).value }))));

    const results: unknown[][] = [];
    const statuses: DispatchStatus[] = [];
    const done: InboxEvent[] = [];
    const started = (opts.now_ms ?? Date.now)();
    const maxMs = opts.maxBatch_ms ?? 2000;

    const dispatchOne = async (event: InboxEvent): Promise<{ status: DispatchStatus; keys: string[] }> => {
      const handler = HANDLERS[`${event.source}:${event.type}`];
      const payload = safePayload(event);
      let outcome: { result?: HandlerResult; error?: unknown } = {};
      if (!handler) outcome.result = { status: 'ignored', code: 'unhandled_type', reason: `no handler for ${event.source} ${event.type}` };
      else if (!payload.ok) outcome.error = payload.error;
      else {
        const input: DispatchEvent = { ...event, payload: payload.value };
        for (let loads = 0; ; loads++) {
          state.begin();
          try {
            outcome = { result: handler(state.asHandlerState(), input) };
            state.commit();
            break;
          } catch (err) {
            state.rollback();
            if (err instanceof NeedsLoad && loads < MAX_LOADS_PER_EVENT) {
              statements += await loadNeeds(trx, state, err.needs);
              continue;
            }
            outcome = { error: err };
            break;
          }
        }
      }
      if (outcome.result) {
        results.push([event.id, outcome.result.status, outcome.result.code ?? null, outcome.result.reason ?? null]);
        parking.settled(event.id);
        return { status: outcome.result.status, keys: [...(event.stream_key ? [event.stream_key] : []), ...(outcome.result.keys ?? [])] };
      }
      const err = outcome.error;
      if (err instanceof ParkEvent) {
        if (err.flagBooking) flag(state, err.flagBooking, event.id, err.code, err.reason);
        parking.park(event, err.code, err.reason, results.length);
        return { status: 'parked', keys: [] };
      }
      if (err instanceof RefuseEvent) flag(state, err.flagBooking, event.id, err.flagCode, err.reason);
      const code = err instanceof DomainError || err instanceof RefuseEvent ? err.code : 'internal';
      const reason = err instanceof Error ? err.message : String(err);
      if (!(err instanceof DomainError) && !(err instanceof RefuseEvent)) opts.logger.error({ err, inbox_id: event.id }, 'handler failed; event dead-lettered');
      results.push([event.id, 'dead_lettered', code, reason]);
      parking.settled(event.id);
      return { status: 'dead_lettered', keys: [] };
    };

    const t1 = performance.now();
    for (const event of events) {
      if (done.length > 0 && (opts.now_ms ?? Date.now)() - started > maxMs) break;
      await breather.maybe();
      const first = await dispatchOne(event);
      done.push(event);
      statuses.push(first.status);
      if (first.status !== 'processed' && first.status !== 'ignored') continue;
      // Parked events of the streams this one may have unblocked run now, in inbox order.
      const visited = new Set<number>([event.id]);
      const queue: string[][] = [first.keys];
      let steps = 0;
      while (queue.length > 0 && steps < MAX_UNPARK_CHAIN) {
        const keys = queue.shift()!;
        if (keys.length === 0) continue;
        for (const parked of await parking.parkedFor(trx, keys)) {
          if (visited.has(parked.id)) continue;
          visited.add(parked.id);
          steps++;
          const again = await dispatchOne(parked);
          statuses.push(again.status);
          if (again.status === 'processed' || again.status === 'ignored') queue.push(again.keys);
        }
      }
    }

    const t2 = performance.now();
    // The effects first (nothing may be queued inside the ledger's savepoint, write-effects.ts); the
    // results and parkings together after the check below.
    const written = await writeEffects(trx, state.fx);
    statements += written.statements;
    // The chain the batch predicted is the chain it wrote: one dispatcher writes the ledger (the lease).
    const predicted = state.fx.entries.map((e) => state.byKey.get(e.request.idempotency_key)?.seq);
    written.entries.forEach((r, i) => {
      if (r.replayed || r.entry.seq !== predicted[i]) throw new Error(`invariant violated: entry ${r.entry.idempotency_key} took seq ${r.entry.seq}, the batch expected ${String(predicted[i])} (another writer on the ledger?)`);
    });
    const fates = await settleAll([insertRows(trx, 'event_results', ['inbox_id', 'status', 'code', 'reason'], results), insertRows(trx, 'event_parkings', ['inbox_id', 'after_result_id', 'code', 'reason'], parking.parkings)]);
    statements += fates[0]! + fates[1]!;
    return { done, statuses, statements, phases: { load_ms: t1 - t0, decide_ms: t2 - t1, write_ms: performance.now() - t2 } };
  });
}

function flag(state: BatchState, booking_id: string, inbox_id: number, code: string, reason: string): void {
  state.begin();
  state.add('flags', { booking_id, inbox_id, code, reason });
  state.commit();
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; error: unknown };
const parsedPayloads = new WeakMap<InboxEvent, Parsed>();

/** The stored payload, parsed, and for booking events validated again (the schema is the edge's). */
function safePayload(event: InboxEvent): Parsed {
  const kept = parsedPayloads.get(event);
  if (kept) return kept;
  let out: Parsed;
  try {
    const raw = JSON.parse(event.payload) as Record<string, unknown>;
    if (event.source !== 'booking') out = { ok: true, value: raw };
    else {
      const parsed = parseBookingEvent(raw);
      out = parsed.ok ? { ok: true, value: parsed.event as unknown as Record<string, unknown> } : { ok: false, error: new DomainError('validation_failed', parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ')) };
    }
  } catch (err) {
    out = { ok: false, error: err };
  }
  parsedPayloads.set(event, out);
  return out;
}
