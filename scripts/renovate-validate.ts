/**
 * `npm run renovate:validate`: the Renovate config checked by Renovate itself.
 *   1. installs Renovate at the version pinned in tools/renovate/ (package.json + package-lock.json)
 *      into the git-ignored .cache/renovate, once (it is ~330 MB: not a devDependency of npm ci);
 *   2. runs its config validator (`renovate-config-validator --strict`) on .github/renovate.json5;
 *   3. runs its extraction on this repository (`--platform=local --dry-run=extract`, offline) and
 *      compares every dependency it finds with the model the fast test uses
 *      (tools/renovate-coverage.ts): a difference means the test proves something Renovate does not do.
 * Exit 1 on any finding, 2 when Renovate cannot be installed or run.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import {
  RENOVATE_CONFIG_FILE,
  customManagersRead,
  extractionDifferences,
  finalGroup,
  renovateExtraction,
  resolvedOption,
  type RenovateConfig,
  extractCustom,
  extractGoMod,
  extractNpm,
  extractRequirements,
  managerReads,
  readRenovateConfig,
  type Dependency,
} from '../tools/renovate-coverage.ts';
import { trackedFiles } from '../tools/git.ts';

const PINNED = join(REPO_ROOT, 'tools', 'renovate');
const INSTALL = join(REPO_ROOT, '.cache', 'renovate');
const STAMP = join(INSTALL, '.lock-sha256');

function fail(code: number, message: string): never {
  console.error(`renovate:validate: ${message}`);
  process.exit(code);
}

/** Installs the pinned Renovate unless the cache already holds exactly that lock file. */
function ensureRenovate(): string {
  const lock = readFileSync(join(PINNED, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).digest('hex');
  const bin = join(INSTALL, 'node_modules', '.bin');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest && existsSync(join(bin, 'renovate'))) return bin;
  console.log(`installing Renovate from tools/renovate/package-lock.json into ${relative(REPO_ROOT, INSTALL)} (once; a few minutes) …`);
  rmSync(INSTALL, { recursive: true, force: true });
  mkdirSync(INSTALL, { recursive: true });
  copyFileSync(join(PINNED, 'package.json'), join(INSTALL, 'package.json'));
  copyFileSync(join(PINNED, 'package-lock.json'), join(INSTALL, 'package-lock.json'));
  // No install scripts: the only native addon (re2) is optional, Renovate falls back to RegExp.
  const npm = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: INSTALL, stdio: 'inherit' });
  if (npm.status !== 0) fail(2, `npm ci of the pinned Renovate failed in ${INSTALL}`);
  writeFileSync(STAMP, digest);
  return bin;
}

function gitFiles(): string[] {
  try {
    return trackedFiles(REPO_ROOT);
  } catch {
    fail(2, 'git ls-files failed');
  }
}

/** What the model says Renovate extracts, from the files git knows (Renovate's local platform reads the same list). */
function modelDependencies(config: RenovateConfig): Dependency[] {
  const deps: Dependency[] = [];
  for (const path of gitFiles()) {
    if (!existsSync(join(REPO_ROOT, path))) continue;
    const content = () => readFileSync(join(REPO_ROOT, path), 'utf8');
    if (customManagersRead(config, path)) deps.push(...extractCustom(config, path, content()));
    if (managerReads(config, 'gomod', path)) deps.push(...extractGoMod(path, content()));
    if (managerReads(config, 'pip_requirements', path)) deps.push(...extractRequirements(path, content()));
    if (managerReads(config, 'npm', path)) deps.push(...extractNpm(path, content()));
  }
  return deps;
}

/** Renovate's own extraction: the `packageFiles` it logs in extract-only dry-run mode. */
function renovateDependencies(bin: string): Dependency[] {
  const baseDir = join(INSTALL, 'base');
  const run = spawnSync(join(bin, 'renovate'), ['--platform=local', '--dry-run=extract', '--osv-vulnerability-alerts=false', '--repository-cache=disabled'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'debug', LOG_FORMAT: 'json', RENOVATE_BASE_DIR: baseDir },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) fail(2, `renovate --platform=local --dry-run=extract exited ${run.status}:\n${(run.stderr || run.stdout).trim().split('\n').slice(-20).join('\n')}`);
  const deps = renovateExtraction(run.stdout);
  if (deps) return deps;
  fail(2, 'Renovate logged no packageFiles (is .github/renovate.json5 committed? the local platform reads the files git knows)');
}

type ApplyPackageRules = (config: Record<string, unknown>) => Promise<Record<string, unknown>>;
type Compile = (template: string, input: Record<string, unknown>) => string;

/** The options the coverage test reads, as the model resolves them and as Renovate's own packageRules code does. */
const COMPARED: readonly { readonly option: string; readonly updateType?: string }[] = [
  { option: 'groupName' },
  { option: 'enabled' },
  { option: 'allowedVersions' },
  { option: 'automerge', updateType: 'patch' },
  { option: 'automerge', updateType: 'major' },
  { option: 'dependencyDashboardApproval', updateType: 'major' },
];

/**
 * Every extracted dependency through Renovate's applyPackageRules (lib/util/package-rules/index.ts)
 * and template compiler, against the model's finalGroup/resolvedOption: the groups and holds the
 * test proves are the ones Renovate applies.
 */
async function ruleDifferences(config: RenovateConfig, deps: readonly Dependency[]): Promise<string[]> {
  const fromRenovate = createRequire(join(INSTALL, 'node_modules', 'renovate', 'package.json'));
  const { applyPackageRules } = fromRenovate('./dist/util/package-rules/index.js') as { applyPackageRules: ApplyPackageRules };
  const { compile } = fromRenovate('./dist/util/template/index.js') as { compile: Compile };
  const rulesOnly: RenovateConfig = { packageRules: config.packageRules ?? [] };
  const differences: string[] = [];
  for (const dep of deps) {
    for (const { option, updateType } of COMPARED) {
      const applied = await applyPackageRules({
        packageRules: rulesOnly.packageRules,
        manager: dep.manager === 'custom.regex' ? 'regex' : dep.manager,
        packageFile: dep.packageFile,
        depName: dep.depName,
        packageName: dep.depName,
        currentValue: dep.currentValue,
        datasource: dep.datasource,
        ...(dep.depType ? { depType: dep.depType } : {}),
        ...(updateType ? { updateType } : {}),
      });
      let renovate = applied[option];
      if (option === 'groupName' && typeof renovate === 'string') renovate = compile(renovate, { ...applied, parentDir: basename(dirname(dep.packageFile)) });
      const model = option === 'groupName' ? finalGroup(rulesOnly, dep) : resolvedOption(rulesOnly, dep, option, updateType);
      if (JSON.stringify(renovate ?? null) !== JSON.stringify(model ?? null)) {
        differences.push(`${dep.packageFile} ${dep.depName}${updateType ? ` (${updateType})` : ''}: ${option} is ${JSON.stringify(renovate ?? null)} for Renovate, ${JSON.stringify(model ?? null)} for the model`);
      }
    }
  }
  return differences;
}

const started = performance.now();
const bin = ensureRenovate();
const installed = performance.now();

const validator = spawnSync(join(bin, 'renovate-config-validator'), ['--strict', RENOVATE_CONFIG_FILE], { cwd: REPO_ROOT, encoding: 'utf8' });
process.stdout.write(validator.stdout);
process.stderr.write(validator.stderr);
if (validator.status !== 0 || /WARN|ERROR/.test(validator.stdout + validator.stderr)) {
  fail(1, `Renovate's validator rejects ${RENOVATE_CONFIG_FILE} (exit ${validator.status})`);
}
const validated = performance.now();

const config = readRenovateConfig();
const model = modelDependencies(config);
const renovate = renovateDependencies(bin);
const differences = extractionDifferences(model, renovate);
const extracted = performance.now();
differences.push(...(await ruleDifferences(config, renovate)));
const ruled = performance.now();
const perManager = [...renovate.reduce((map, dep) => map.set(dep.manager, (map.get(dep.manager) ?? 0) + 1), new Map<string, number>())].map(([manager, n]) => `${manager} ${n}`).join(', ');
console.log(
  `Renovate extracted ${renovate.length} dependencies (${perManager}); the model of tools/renovate-coverage.ts ${model.length}. ` +
    `Install ${((installed - started) / 1000).toFixed(1)} s, validator ${((validated - installed) / 1000).toFixed(1)} s, extraction ${((extracted - validated) / 1000).toFixed(1)} s, packageRules ${((ruled - extracted) / 1000).toFixed(1)} s.`,
);
if (differences.length > 0) fail(1, `the model and Renovate disagree:\n${differences.map((line) => `  ${line}`).join('\n')}`);
console.log('renovate:validate: the config is valid; Renovate extracts, groups and holds exactly what the coverage test proves');

// Files the fast test cannot see because none exist yet on this branch are reported, not hidden.
const goModules = readdirSync(join(REPO_ROOT, 'tools'), { recursive: true, encoding: 'utf8' }).filter((path) => /(^|\/)go\.mod$/.test(path));
if (goModules.length === 0) console.log('note: no tools/go/*/go.mod yet; the gomod rules are proven on the test fixtures only');
