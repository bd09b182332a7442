import type { Db } from '../db/connect.js';
import { getBooking, type BookingRecord } from '../flows/booking/store.js';
import { bookingMoney, type BookingMoney } from '../flows/booking/money-view.js';

/** What a preview reads about one booking: its record (facts, pins, state) and its money. */
export type BookingView = { b: BookingRecord; money: BookingMoney };

/** Where previews get a booking's view: the database each time, or the in-memory model (preview-model.ts). */
export type BookingViews = { booking(booking_id: string): Promise<BookingView | undefined> };

/**
 * The loading path: the booking and its money read now. The two are independent reads: on MySQL
 * they go out on two connections at once. Undefined when the booking is not known.
 */
export async function loadBookingView(db: Db, booking_id: string): Promise<BookingView | undefined> {
  const [b, money] = await Promise.all([getBooking(db, booking_id), bookingMoney(db, booking_id)]);
  return b ? { b, money } : undefined;
}

/** The loading path as a source. */
export const viewsFromDb = (db: Db): BookingViews => ({ booking: (id) => loadBookingView(db, id) });
