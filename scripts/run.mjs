/**
 * `node scripts/run.mjs <entry.ts> [args…]`: runs a TypeScript entry point (synth, validate) as
 * precompiled JavaScript. The entry is bundled once with esbuild into `.cache/build/` and reused
 * while none of its inputs changed, so a run skips the tsx loader and the module graph of ~150
 * files (docs/decisions/0930-precompiled-synth.md).
 *
 * Never stale: the cache records every input file of the bundle (from esbuild's metafile) with its
 * sha256; a run re-checks them (a stat first, the content when the stat differs or is too recent
 * to trust, as git's index does) and rebuilds on any difference. Dependencies count through
 * package-lock.json. Nothing of it is committed. `PLATFORM_FROM_SOURCE=1` runs the entry through
 * tsx instead (debugging with source lines).
 *
 * The bundle is CommonJS run through `vm.Script` with V8's code cache (`<bundle>.v8`, written after
 * the first run that had none, from the functions that run compiled): a warm run neither parses nor
 * compiles the 4 MB bundle again (Node 20 has no compile cache of its own for ES modules). V8 itself
 * rejects a cache made for other source, flags or version; a rejected cache is rewritten.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_DIR = join(ROOT, '.cache', 'build');
// A stat younger than this at build time is not trusted (same-tick edits keep size and mtime).
const RACY_MS = 2000;

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  console.error('usage: node scripts/run.mjs <entry.ts> [args…]');
  process.exit(2);
}
const entry = relative(ROOT, resolve(entryArg));
const name = entry.replace(/\.ts$/, '').replace(/[/\\]/g, '-');
const manifestPath = join(BUILD_DIR, `${name}.json`);

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The things every bundle depends on besides its own inputs. */
function environmentKey() {
  return createHash('sha256')
    .update(process.version)
    .update(readFileSync(join(ROOT, 'package-lock.json')))
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex');
}

/** The cached bundle when every recorded input is unchanged, else undefined. */
function cachedBundle() {
  if (!existsSync(manifestPath)) return undefined;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return undefined;
  }
  const bundle = join(BUILD_DIR, manifest.bundle ?? '');
  if (manifest.environment !== environmentKey() || !existsSync(bundle)) return undefined;
  let restat = false;
  for (const input of manifest.inputs) {
    const path = join(ROOT, input.path);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return undefined;
    }
    if (stat.size === input.size && stat.mtimeMs === input.mtimeMs && input.mtimeMs < manifest.builtAt - RACY_MS) continue;
    if (stat.size !== input.size || sha256(path) !== input.sha256) return undefined;
    input.mtimeMs = stat.mtimeMs;
    restat = true;
  }
  // Content unchanged, stats moved (checkout, touch): remember them so the next run stats only.
  if (restat) writeAtomically(manifestPath, JSON.stringify(manifest));
  return bundle;
}

function writeAtomically(path, data) {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, path);
}

async function build() {
  const { build: esbuild } = await import('esbuild');
  mkdirSync(BUILD_DIR, { recursive: true });
  const builtAt = Date.now();
  const result = await esbuild({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: join(BUILD_DIR, `${name}.cjs`),
    // import.meta.url is the bundle's own URL, as it was for the ES module bundle (REPO_ROOT is found
    // from it by walking up to package.json).
    define: { 'import.meta.url': '__platformModuleUrl' },
    banner: { js: "var __platformModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  }).catch((error) => {
    console.error(`cannot compile ${entry}:\n${(error.errors ?? []).map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`).join('\n') || error.message}`);
    process.exit(2);
  });
  const code = result.outputFiles[0].contents;
  const bundle = `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`;
  // Bundles of earlier sources of this entry (and their code caches) are dead weight.
  const earlier = new RegExp(`^${name.replace(/[.]/g, '\\.')}-[0-9a-f]{16}\\.[cm]js(\\.v8)?$`);
  for (const old of readdirSync(BUILD_DIR)) if (earlier.test(old) && !old.startsWith(bundle)) rmSync(join(BUILD_DIR, old), { force: true });
  writeAtomically(join(BUILD_DIR, bundle), code);
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => !path.split(/[/\\]/).includes('node_modules'))
    .sort()
    .map((input) => {
      const path = join(ROOT, relative(ROOT, resolve(input)));
      const stat = statSync(path);
      return { path: relative(ROOT, path), size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(path) };
    });
  writeAtomically(manifestPath, JSON.stringify({ entry, bundle, builtAt, environment: environmentKey(), inputs }));
  return join(BUILD_DIR, bundle);
}

if (process.env.PLATFORM_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  process.argv = [process.argv[0], join(ROOT, entry), ...args];
  await import(pathToFileURL(join(ROOT, entry)).href);
} else {
  const bundle = cachedBundle() ?? (await build());
  // The entry sees itself as the script that was run (its own argv checks), with its arguments.
  process.argv = [process.argv[0], bundle, ...args];
  // The compiled code's identity, for caches that must not outlive it (validate's parsed files).
  process.env.PLATFORM_BUNDLE = relative(BUILD_DIR, bundle);
  runWithCodeCache(bundle);
}

/** Runs a CommonJS bundle as Node would, with V8's code cache beside it. */
function runWithCodeCache(bundle) {
  const cachePath = `${bundle}.v8`;
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined; // first run of this bundle
  }
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, the cache holds every function this run compiled, not just the top level.
    process.once('exit', () => {
      try {
        writeAtomically(cachePath, script.createCachedData());
      } catch {
        // A read-only checkout still runs; it just compiles again next time.
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}
