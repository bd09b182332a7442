import { isUniqueViolation, toInt, type Db } from '../../db/connect.js';

export type LeaseOptions = {
  /** Another replica takes over when the holder's last beat is older than this. */
  ttl_ms?: number;
  /** How often the holder writes a beat (and a follower looks). */
  beat_ms?: number;
  now_ms?: () => number;
};

/**
 * Exactly one replica dispatches: the holder of the lease in the database. The lease is rows, never
 * updates: taking it inserts the next epoch (its unique key lets one replica win), holding it
 * inserts a beat every `beat_ms`. A replica whose holder stopped beating for `ttl_ms` takes the
 * next epoch, so a dead holder is replaced within ttl_ms + beat_ms (4 s + 1 s by default).
 *
 * The lease keeps replicas from doing the same work; correctness does not rest on it. A paused
 * holder that wakes up after a takeover may still commit the batch it had started: every event's
 * result and every entry's seq are unique keys, so one of the two commits fails and rolls back
 * whole — nothing is applied twice, nothing skipped.
 */
export class DispatchLease {
  private epoch: number | null = null;
  private beat = 0;
  private checkedAt = -Infinity;
  private readonly ttl_ms: number;
  private readonly beat_ms: number;
  private readonly now: () => number;

  constructor(private readonly db: Db, readonly holder: string, opts: LeaseOptions = {}) {
    this.ttl_ms = opts.ttl_ms ?? 4000;
    this.beat_ms = opts.beat_ms ?? 1000;
    this.now = opts.now_ms ?? Date.now;
  }

  get held(): boolean {
    return this.epoch !== null;
  }

  /** Whether this replica may dispatch now; beats or tries a takeover when one is due. */
  async ensure(): Promise<boolean> {
    if (this.now() - this.checkedAt < this.beat_ms) return this.held;
    this.checkedAt = this.now();
    const last = (await this.db('dispatch_lease').orderBy('epoch', 'desc').orderBy('beat', 'desc').first('epoch', 'beat', 'holder', 'at_ms')) as { epoch: unknown; beat: unknown; holder: string; at_ms: unknown } | undefined;
    const now = this.now();
    if (last && toInt(last.epoch) === this.epoch && last.holder === this.holder) {
      return this.write(this.epoch, toInt(last.beat) + 1, now);
    }
    this.epoch = null;
    if (last && now - toInt(last.at_ms) <= this.ttl_ms) return false; // another replica holds it
    return this.write(last ? toInt(last.epoch) + 1 : 1, 0, now);
  }

  /** Gives the lease up (a clean stop): the next replica need not wait for the time to live. */
  async release(): Promise<void> {
    if (this.epoch === null) return;
    const epoch = this.epoch;
    this.epoch = null;
    // An expired beat: the lease reads as free at once.
    await this.db('dispatch_lease').insert({ epoch, beat: this.beat + 1, holder: this.holder, at_ms: 0 }).catch(() => undefined);
  }

  private async write(epoch: number, beat: number, at_ms: number): Promise<boolean> {
    try {
      await this.db('dispatch_lease').insert({ epoch, beat, holder: this.holder, at_ms });
      this.epoch = epoch;
      this.beat = beat;
      return true;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      this.epoch = null; // another replica took this epoch (or beat) first
      return false;
    }
  }
}
