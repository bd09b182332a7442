/**
 * A bug planted on purpose, so the simulation can show it catches one (issue #18). Set only by
 * tests through MYBNB_PLANTED_BUG; loadConfig (the production configuration) refuses to start when
 * the variable is set at all, and NODE_ENV=production switches it off here too.
 */
export type PlantedBug = 'skip_idempotency';

export function plantedBug(name: PlantedBug): boolean {
  return process.env.MYBNB_PLANTED_BUG === name && process.env.NODE_ENV !== 'production';
}
