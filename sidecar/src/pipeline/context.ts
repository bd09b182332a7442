import type { Knex } from 'knex';
import type { InboxEvent } from '../sari/inbox.js';

export type Trx = Knex; // a Knex.Transaction is a Knex: handlers run inside one

/** What a handler decided about one event. `keys` are the streams whose parked events may now proceed. */
export type HandlerResult = { status: 'processed' | 'ignored'; code?: string; reason?: string; keys?: string[] };

export type HandlerContext = { db: Trx; event: InboxEvent; payload: Record<string, unknown> };

export type Handler = (ctx: HandlerContext) => Promise<HandlerResult>;

/** Thrown by a handler when the event cannot be processed yet (its predecessor has not arrived). */
export class ParkEvent extends Error {
  /** `flagBooking`: the booking to flag with this reason (written after the event's work is rolled back). */
  constructor(readonly code: string, readonly reason: string, readonly flagBooking?: string) {
    super(reason);
    this.name = 'ParkEvent';
  }
}

/** Thrown by a handler to dead-letter an event that can never be processed, flagging its booking. */
export class RefuseEvent extends Error {
  constructor(readonly code: 'validation_failed' | 'illegal_transition', readonly reason: string, readonly flagBooking: string, readonly flagCode: string) {
    super(reason);
    this.name = 'RefuseEvent';
  }
}

export function ref(event: Pick<InboxEvent, 'id' | 'source' | 'event_id' | 'occurred_at'>, decision_id?: string) {
  return { inbox_id: event.id, event_id: `${event.source}:${event.event_id}`, occurred_at: event.occurred_at, ...(decision_id ? { decision_id } : {}) };
}
