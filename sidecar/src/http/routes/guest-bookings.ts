import { Router } from 'express';
import { z } from 'zod';
import { DomainError, SAFE_ID_PATTERN } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import { getBooking } from '../../flows/booking/store.js';
import { bookingMoney } from '../../flows/booking/money-view.js';
import { bookingSummary } from '../../flows/read-models/booking-view.js';
import { route, type SignedFor } from '../app.js';
import type { Services } from '../services.js';

/**
 * GET /guests/:id/bookings — a guest's bookings, newest first, a page at a time (contract,
 * "Additions for the second release", New reads). Keyset pagination: `cursor` is the opaque
 * `next_cursor` of the previous page, so pages stay stable while new bookings arrive.
 */
export const MAX_PAGE = 100;

const Id = z.string().regex(SAFE_ID_PATTERN, 'must be 1-120 characters of A-Z a-z 0-9 _ . : -');
const Query = z.object({
  limit: z.string().regex(/^[0-9]{1,3}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(MAX_PAGE)).optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'must be a next_cursor of a previous page').optional(),
}).strict();

type Cursor = { confirmed_at: string; booking_id: string };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.confirmed_at, c.booking_id]), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && Id.safeParse(v[1]).success) {
      return { confirmed_at: v[0], booking_id: v[1] };
    }
  } catch { /* falls through to the refusal below */ }
  throw new DomainError('validation_failed', 'cursor must be a next_cursor of a previous page', { field: 'cursor' });
}

function invalid(error: z.ZodError): never {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? String(issue.path[0]) : (issue && 'keys' in issue ? String((issue as { keys: string[] }).keys[0]) : 'query');
  throw new DomainError('validation_failed', `${field}: ${issue?.message ?? 'invalid'}`, { field });
}

/** One page of a guest's bookings: what a "My bookings" list shows, no fees or transfers. */
export async function guestBookingsPage(db: Db, guest_id: string, limit: number, after: Cursor | null) {
  let q = db('bookings').where({ guest_id });
  if (after) {
    q = q.andWhere((w) => w.where('confirmed_at', '<', after.confirmed_at)
      .orWhere((same) => same.where('confirmed_at', '=', after.confirmed_at).andWhere('booking_id', '<', after.booking_id)));
  }
  const rows = (await q.orderBy([{ column: 'confirmed_at', order: 'desc' }, { column: 'booking_id', order: 'desc' }])
    .limit(limit + 1).select('booking_id', 'confirmed_at')) as Cursor[];
  const page = rows.slice(0, limit);
  const bookings = [];
  for (const row of page) {
    const b = await getBooking(db, row.booking_id);
    if (!b) continue;
    const money = await bookingMoney(db, b.booking_id);
    bookings.push(bookingSummary(b, money));
  }
  const last = page[page.length - 1];
  return { guest_id, limit, bookings, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export function guestBookingsRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  r.get('/guests/:id/bookings', ...mw.signedFor('GET /guests/:id/bookings'), route(async (req, res) => {
    const id = Id.safeParse(String(req.params.id));
    if (!id.success) throw new DomainError('validation_failed', `id: ${id.error.issues[0]?.message ?? 'invalid'}`, { field: 'id' });
    const query = Query.safeParse(req.query);
    if (!query.success) invalid(query.error);
    const after = query.data.cursor ? decodeCursor(query.data.cursor) : null;
    res.json(await guestBookingsPage(s.db, id.data, query.data.limit ?? 20, after));
  }));
  return r;
}
