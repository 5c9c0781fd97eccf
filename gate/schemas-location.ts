import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Repository root: the nearest folder above this module holding package.json. Searched rather than
 * fixed, because synth runs this module either from source (gate/) or bundled (.cache/build/).
 */
export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..');
  }
}

/** Git-ignored cache filled by `npm run schemas:fetch` on machines without ../shared/schemas. */
export const SCHEMAS_CACHE_DIR = join(REPO_ROOT, '.cache', 'schemas');

/**
 * Where the Kubernetes 1.28 definitions and the pinned CRDs are read from:
 * `SCHEMAS_DIR` when set, else `../shared/schemas` beside the repository, else the download cache.
 * The project never commits upstream schemas (see ../shared/schemas/README.md).
 */
export function schemasDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCHEMAS_DIR) return resolve(env.SCHEMAS_DIR);
  const shared = resolve(REPO_ROOT, '..', 'shared', 'schemas');
  if (existsSync(join(shared, 'index.json'))) return shared;
  return SCHEMAS_CACHE_DIR;
}
