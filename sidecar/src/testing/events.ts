import type { BookingConfirmed } from '../sari/booking-events.js';

let counter = 0;
export function eventId(prefix = 'bev'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

export function confirmed(occurred_at: string, data: Partial<BookingConfirmed> & { booking_id: string; payment_intent_id: string }) {
  return {
    id: eventId(), type: 'booking.confirmed', occurred_at,
    data: {
      listing_id: 'lst_1', guest_id: 'guest_1', host_id: 'host_1', check_in: '2026-10-10', check_out: '2026-10-13',
      check_in_time: '15:00', time_zone: 'Europe/Paris', currency: 'USD', nightly_total: 30000, cleaning_fee: 5000,
      guest_service_fee: 4200, taxes: 3000, cancellation_policy: 'moderate', ...data,
    },
  };
}

export const tick = (occurred_at: string) => ({ id: eventId('tick'), type: 'clock.tick', occurred_at, data: {} });
export const checkedIn = (booking_id: string, occurred_at: string) => ({ id: eventId(), type: 'stay.checked_in', occurred_at, data: { booking_id } });
export const completed = (booking_id: string, occurred_at: string) => ({ id: eventId(), type: 'stay.completed', occurred_at, data: { booking_id } });
export const hostConnected = (host_id: string, stripe_account_id: string, occurred_at: string) => ({ id: eventId(), type: 'host.connected', occurred_at, data: { host_id, stripe_account_id } });
export const cancelRequested = (booking_id: string, by: 'guest' | 'host', outcome_hash: string, occurred_at: string, actor = 'guest_1') => ({
  id: eventId(), type: 'booking.cancel_requested', occurred_at,
  data: { booking_id, by, consent: { outcome_hash, actor, consented_at: occurred_at } },
});

export function total(d: { nightly_total: number; cleaning_fee: number; guest_service_fee: number; taxes: number }): number {
  return d.nightly_total + d.cleaning_fee + d.guest_service_fee + d.taxes;
}
