import type { Db } from '../../db/connect.js';

export async function connectHost(db: Db, x: { host_id: string; stripe_account_id: string; inbox_id: number }): Promise<void> {
  await db('host_connections').insert(x);
}

export async function recordSubscriptionState(db: Db, x: { stripe_account_id: string; status: string; inbox_id: number }): Promise<void> {
  await db('host_subscription_states').insert(x);
}
