import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository (or image) root: the nearest folder above this module with a package.json. The
 * same from sidecar/src (tsx) and from dist/sidecar/src (compiled), so files beside the code
 * (policies/, fixtures/) are found either way.
 */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above the sidecar');
    dir = up;
  }
})();
