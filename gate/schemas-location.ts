import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (one level above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
