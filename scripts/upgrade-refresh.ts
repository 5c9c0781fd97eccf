/**
 * `npm run upgrade:refresh`: after a pin moves (a Renovate branch or a hand edit), regenerates in
 * the same PR everything that follows from the pins (docs/upgrading.md):
 *   1. schemas.lock.json, from the schemas folder the gate reads (SCHEMAS_DIR, else ../shared/schemas),
 *      where the new version's CRDs were put first;
 *   2. imports/ (`npm run import`), only when that lock changed (it is slow and deterministic);
 *   3. the chart lock, when a `charts:lock` script exists (otherwise the render script records the new
 *      chart's sha256 in charts.lock.json on its first resolution, and the upgrade-proof workflow
 *      commits it);
 *   4. dist/ (`npm run synth`) and docs/services.md (`npm run docs`).
 * Then lists the files that changed. Renovate runs it as a postUpgradeTask where the admin allows it;
 * the upgrade-proof workflow runs it on every Renovate branch and pushes the result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, schemasDir } from '../gate/schemas-location.ts';

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

function npmRun(script: string, ...args: string[]): void {
  console.log(`\n› npm run ${script}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`);
  const run = spawnSync('npm', ['run', '--silent', script, ...(args.length > 0 ? ['--', ...args] : [])], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`upgrade:refresh: npm run ${script} failed (exit ${run.status}); nothing after it was regenerated`);
    process.exit(1);
  }
}

/** Every file of the work tree that differs from HEAD (the generated ones, after the pins' own edit). */
function changed(): string[] {
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return status.stdout.split('\n').filter(Boolean);
}

// Synth's gate needs the schemas. Where no schemas folder exists (Renovate's own machine), fetch
// the pinned ones (SCHEMAS_BASE_URL); the lock then stays as it is, which is right: only a newer
// schemas folder (SCHEMAS_DIR) can move it.
if (!existsSync(join(schemasDir(), 'index.json'))) npmRun('schemas:fetch');

const lockBefore = readFileSync(join(REPO_ROOT, 'schemas.lock.json'), 'utf8');
npmRun('schemas:fetch', '--write-lock');
if (readFileSync(join(REPO_ROOT, 'schemas.lock.json'), 'utf8') !== lockBefore) npmRun('import');
else console.log('schemas.lock.json unchanged: imports/ kept');

if (packageJson.scripts['charts:lock']) npmRun('charts:lock');
else console.log('\nno charts:lock script: the render proof records the new chart in charts.lock.json (docs/upgrading.md)');

npmRun('synth');
npmRun('docs');

const files = changed();
console.log(files.length > 0 ? `\nupgrade:refresh: ${files.length} file(s) differ from HEAD:\n${files.join('\n')}` : '\nupgrade:refresh: nothing differs from HEAD');
