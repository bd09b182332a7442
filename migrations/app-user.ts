/**
 * The MySQL application user that migration 001 creates (INSERT/SELECT only). Not a migration: the
 * one place that reads its name and password, so that `migrateLatest` can refuse before knex
 * writes anything (its own bookkeeping tables included) and 001 can refuse again on its own.
 */
export type AppUser = { user: string; password: string };

/** No default password, ever: without MYSQL_APP_PASSWORD this refuses and names the variable. */
export function appUserFromEnv(env: NodeJS.ProcessEnv = process.env): AppUser {
  const user = env.MYSQL_APP_USER || 'mybnb_app';
  const password = env.MYSQL_APP_PASSWORD ?? '';
  if (password === '') {
    throw new Error(`MYSQL_APP_PASSWORD is not set: the migration creates the service's INSERT/SELECT-only MySQL user ${user} and never invents a password for it; set MYSQL_APP_PASSWORD (and use the same password in the service's DATABASE_URL)`);
  }
  return { user, password };
}
