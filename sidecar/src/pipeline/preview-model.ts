import { toInt, type Db } from '../db/connect.js';
import { rawRows } from '../db/dialect.js';
import type { Trx } from './context.js';
import { loadBookingView, type BookingView } from './booking-view-source.js';

/** Bookings kept in memory at most (least recently used first out): ≈ 3.4 KB for a paid booking (measured), more with more entries: ≈ 35–50 MB at the cap. */
export const PREVIEW_MODEL_MAX_BOOKINGS = 10_000;
/** Behind by more changes than this, the model forgets everything rather than reading them all. */
const MAX_FOLLOW = 5_000;

/** The log position read models follow: the last `read_model_changes` row committed (0: none yet). */
export async function changePosition(db: Trx): Promise<number> {
  // Fixed SQL, not a query builder: this runs once per wave of previews, and compiling the built
  // query was ≈ 1/6 of its sidecar CPU in the preview profile (docs/benchmarks.md, "Preview").
  const [row] = await rawRows<{ m: unknown }>(db, POSITION_SQL);
  return row?.m == null ? 0 : toInt(row.m);
}

const POSITION_SQL = 'SELECT MAX(id) AS m FROM read_model_changes';

/**
 * One position read for many requests, never an old one: a request joins a read that starts after
 * it arrived (the one in flight may have started before a commit the request must see), so at most
 * one read runs and one waits whatever the number of requests in flight.
 */
export class PositionFence {
  private inFlight: Promise<number> | null = null;
  private queued: Promise<number> | null = null;
  reads = 0;

  constructor(private readonly read: () => Promise<number>) {}

  position(): Promise<number> {
    if (!this.inFlight) return this.start();
    this.queued ??= this.inFlight.then(noop, noop).then(() => {
      this.queued = null;
      // A read started since the one we waited for began after every request queued here arrived.
      return this.inFlight ?? this.start();
    });
    return this.queued;
  }

  private start(): Promise<number> {
    this.reads++;
    const p = this.read().finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }
}

const noop = () => undefined;

/** A kept view is shared by every request after: frozen, so no reader can change what the next one sees. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * Previews from memory (issue #11 item 3). A preview is a pure function of a booking's facts and
 * money, its pinned policy versions (parsed once per process by `pinnedPolicy`) and the moment;
 * this keeps the first two per booking, loaded once by the very functions the loading path uses.
 *
 * Invalidation by log position: every dispatch batch appends, in its own transaction, one
 * `read_model_changes` row per booking (and policy kind) it changed (flows/write-effects.ts). The
 * model knows the position it has followed to. A request first reads the committed position (one
 * `MAX(id)` shared by every request in flight, PositionFence); if the database moved on — a batch
 * of this process's dispatcher, of `mybnb worker` or of another replica — it reads the changes in
 * between (one statement) and drops the bookings they name, then answers from memory or loads the
 * booking (stamped with the position read before loading). A request therefore never sees a model
 * older than the database it started on. An entry loaded at a position the model has already
 * followed past is served once and not kept (it may predate a change the model already applied).
 *
 * Bounded: at most `maxBookings` bookings (least recently used out), see PREVIEW_MODEL_MAX_BOOKINGS.
 */
export class PreviewModel {
  private readonly views = new Map<string, BookingView>();
  private followed = -1;
  private following: Promise<void> | null = null;
  readonly fence: PositionFence;
  /** False: every preview loads from the database (the loading path, kept as the benchmark's baseline). */
  fromMemory = true;
  readonly stats = { hits: 0, loads: 0, dropped: 0, follows: 0, forgotAll: 0 };

  constructor(private readonly db: Db, private readonly opts: { maxBookings?: number } = {}) {
    this.fence = new PositionFence(() => changePosition(db));
  }

  get size(): number {
    return this.views.size;
  }

  /** The booking and its money as the loading path would read them now; undefined: not known. */
  async booking(booking_id: string): Promise<BookingView | undefined> {
    if (!this.fromMemory) return loadBookingView(this.db, booking_id);
    const needed = await this.fence.position();
    await this.followTo(needed);
    const kept = this.views.get(booking_id);
    if (kept) {
      this.stats.hits++;
      this.views.delete(booking_id); // most recently used last
      this.views.set(booking_id, kept);
      return kept;
    }
    return this.load(booking_id);
  }

  private async load(booking_id: string): Promise<BookingView | undefined> {
    this.stats.loads++;
    // Read before the data: the data is at least as new as the stamp, so following from the stamp
    // drops it if anything after the stamp changed it.
    const stamp = await changePosition(this.db);
    const view = await loadBookingView(this.db, booking_id);
    if (view && stamp >= this.followed) this.keep(booking_id, view);
    return view;
  }

  private keep(booking_id: string, view: BookingView): void {
    const max = this.opts.maxBookings ?? PREVIEW_MODEL_MAX_BOOKINGS;
    this.views.delete(booking_id);
    while (this.views.size >= max) this.views.delete(this.views.keys().next().value!);
    this.views.set(booking_id, deepFreeze(view));
  }

  private async followTo(position: number): Promise<void> {
    while (this.followed < position) {
      this.following ??= this.follow(position).finally(() => (this.following = null));
      await this.following;
    }
  }

  private async follow(to: number): Promise<void> {
    const from = this.followed;
    if (from < 0 || to - from > MAX_FOLLOW) return this.forgetAll(to);
    this.stats.follows++;
    const rows = (await this.db('read_model_changes').where('id', '>', from).andWhere('id', '<=', to).orderBy('id').select('kind', 'subject')) as Array<{ kind: string; subject: string }>;
    if (this.followed !== from) return; // forgotten meanwhile
    for (const r of rows) {
      // A policy published: only previews reading the current version (not a pinned one) would care; none is kept today.
      if (r.kind === 'booking' && this.views.delete(r.subject)) this.stats.dropped++;
    }
    this.followed = to;
  }

  private forgetAll(position: number): void {
    if (this.followed >= 0) this.stats.forgotAll++;
    this.views.clear();
    this.followed = position;
  }
}
