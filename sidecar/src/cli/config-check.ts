import { checkConfig } from '../config.js';
import { describeConfig } from '../config-describe.js';

/**
 * `mybnb config check [--demo]`: the configuration `npm start` would run with, every secret masked,
 * and every problem at once (not only the first). Exit 0 only if the start would be accepted.
 */
export function configCheck(env: NodeJS.ProcessEnv, opts: { demo: boolean }, out: (line: string) => void): number {
  const check = checkConfig(env, opts);
  for (const line of describeConfig(check, env)) out(line);
  return check.problems.length === 0 ? 0 : 1;
}
