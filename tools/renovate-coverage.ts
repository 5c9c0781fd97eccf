/**
 * Which Renovate manager extracts each pin of the repository, and which of the config's groups it
 * falls in: the proof that a new pin cannot be forgotten (test/renovate.test.ts) and the model that
 * `npm run renovate:validate` compares with Renovate's own extraction.
 *
 * Modelled on Renovate 39.264.1 (the version pinned in tools/renovate/package.json):
 *   - custom regex managers: lib/modules/manager/custom/regex/strategies.ts `handleAny` (each
 *     matchString applied with flag `g` to the whole file, every match one dependency) and
 *     utils.ts `createDependency` (a `<field>Template` wins over the named group);
 *   - gomod: lib/modules/manager/gomod/line-parser.ts (`require`, `replace`, `// indirect`);
 *   - pip_requirements: lib/modules/manager/pip_requirements/extract.ts (`name==version` lines);
 *   - npm: lib/modules/manager/npm/extract (dependencies, devDependencies, overrides, engines);
 *   - packageRules matching: lib/util/package-rules/*.ts and lib/util/string-match.ts
 *     (`/regex/`, minimatch globs with dot and nocase, `!` negations).
 * Only the options this repository's config uses are modelled; any other option in a custom
 * manager or a packageRule matcher is refused, so the model cannot silently diverge from Renovate.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import JSON5 from 'json5';
import { REPO_ROOT } from '../gate/schemas-location.ts';

export const RENOVATE_CONFIG_FILE = '.github/renovate.json5';
export const CATALOGUE_FILE = 'charts/environments/catalogue.ts';

export interface CustomManager {
  readonly customType: string;
  readonly description?: string;
  readonly fileMatch: readonly string[];
  readonly matchStrings: readonly string[];
  readonly matchStringsStrategy?: string;
  readonly datasourceTemplate?: string;
  readonly versioningTemplate?: string;
  readonly depNameTemplate?: string;
  readonly packageNameTemplate?: string;
  readonly registryUrlTemplate?: string;
}

export interface PackageRule {
  readonly description?: string | readonly string[];
  readonly groupName?: string;
  readonly matchFileNames?: readonly string[];
  readonly matchDepNames?: readonly string[];
  readonly matchPackageNames?: readonly string[];
  readonly matchManagers?: readonly string[];
  readonly matchDepTypes?: readonly string[];
  readonly matchDatasources?: readonly string[];
  readonly matchUpdateTypes?: readonly string[];
  readonly [option: string]: unknown;
}

export interface RenovateConfig {
  readonly ignorePaths?: readonly string[];
  readonly enabledManagers?: readonly string[];
  readonly customManagers?: readonly CustomManager[];
  readonly packageRules?: readonly PackageRule[];
  readonly [option: string]: unknown;
}

/** A dependency as a Renovate manager extracts it. */
export interface Dependency {
  /** `custom.regex`, `gomod`, `pip_requirements`, `npm`. */
  readonly manager: string;
  /** Index of the custom manager in `customManagers` (custom.regex only). */
  readonly customManager?: number;
  readonly packageFile: string;
  readonly depName: string;
  readonly currentValue: string;
  readonly datasource: string;
  readonly depType?: string;
  readonly registryUrl?: string;
  /** Where the whole match and the version sit in the file (custom.regex only). */
  readonly matchSpan?: readonly [number, number];
  readonly valueSpan?: readonly [number, number];
  /** Renovate extracts it but leaves it alone unless a rule enables it (`// indirect`). */
  readonly disabledByDefault?: boolean;
}

export class RenovateModelError extends Error {}

export function readRenovateConfig(root = REPO_ROOT): RenovateConfig {
  return JSON5.parse(readFileSync(join(root, RENOVATE_CONFIG_FILE), 'utf8')) as RenovateConfig;
}

// ── string matching (lib/util/string-match.ts) ──────────────────────────────────────────────────

// Braces, classes and extglobs (`@(…)`, `+(…)`, …).
const GLOB_SYNTAX_WE_DO_NOT_MODEL = /[{}[\]]|[@+!?*]\(/;

/** minimatch's `*`, `**` and `?` (dot: true, nocase: true); anything fancier is refused. */
function globToRegExp(glob: string): RegExp {
  if (GLOB_SYNTAX_WE_DO_NOT_MODEL.test(glob)) throw new RenovateModelError(`glob "${glob}" uses syntax the model does not handle; keep to *, ** and ?`);
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      // `a/**/b` also matches `a/b`; a trailing `/**` matches everything below.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

function matchesOne(input: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const regex = /^!?\/(.*)\/(i?)$/.exec(pattern);
  if (regex) return new RegExp(regex[1]!, regex[2]).test(input) !== pattern.startsWith('!');
  const glob = pattern.startsWith('!') ? pattern.slice(1) : pattern;
  return globToRegExp(glob).test(input) !== pattern.startsWith('!');
}

/** `matchRegexOrGlobList`: some positive pattern matches and every negative one holds. */
export function matchesList(input: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const positive = patterns.filter((pattern) => !pattern.startsWith('!'));
  const negative = patterns.filter((pattern) => pattern.startsWith('!'));
  if (positive.length > 0 && !positive.some((pattern) => matchesOne(input, pattern))) return false;
  return negative.every((pattern) => matchesOne(input, pattern));
}

// ── which files a manager reads ──────────────────────────────────────────────────────────────────

function ignored(config: RenovateConfig, path: string): boolean {
  return (config.ignorePaths ?? []).some((pattern) => matchesOne(path, pattern));
}

function managerEnabled(config: RenovateConfig, manager: string): boolean {
  return config.enabledManagers === undefined || config.enabledManagers.includes(manager);
}

/** The files a built-in manager reads: its `fileMatch` regexes (added to Renovate's defaults, which for these managers are narrower or equal). */
export function managerReads(config: RenovateConfig, manager: 'gomod' | 'pip_requirements' | 'npm', path: string): boolean {
  if (!managerEnabled(config, manager) || ignored(config, path)) return false;
  const fileMatch = (config[manager] as { fileMatch?: string[] } | undefined)?.fileMatch ?? [];
  return fileMatch.some((pattern) => new RegExp(pattern).test(path));
}

/** Whether some custom regex manager reads the file. */
export function customManagersRead(config: RenovateConfig, path: string): boolean {
  if (!managerEnabled(config, 'custom.regex') || ignored(config, path)) return false;
  return (config.customManagers ?? []).some((manager) => manager.fileMatch.some((pattern) => new RegExp(pattern).test(path)));
}

// ── extraction ───────────────────────────────────────────────────────────────────────────────────

const CUSTOM_MANAGER_OPTIONS = new Set([
  'customType',
  'description',
  'fileMatch',
  'matchStrings',
  'matchStringsStrategy',
  'datasourceTemplate',
  'versioningTemplate',
  'depNameTemplate',
  'packageNameTemplate',
  'registryUrlTemplate',
]);

/** Handlebars `{{name}}` / `{{{name}}}` substitution, all Renovate's extraction templates use here. */
function compile(template: string, groups: Record<string, string | undefined>): string {
  return template.replace(/\{\{\{?\s*(\w+)\s*\}?\}\}/g, (_, name: string) => groups[name] ?? '');
}

/** Every dependency the custom regex managers extract from one file. */
export function extractCustom(config: RenovateConfig, packageFile: string, content: string): Dependency[] {
  if (!managerEnabled(config, 'custom.regex') || ignored(config, packageFile)) return [];
  const deps: Dependency[] = [];
  (config.customManagers ?? []).forEach((manager, index) => {
    for (const option of Object.keys(manager)) {
      if (!CUSTOM_MANAGER_OPTIONS.has(option)) throw new RenovateModelError(`customManagers[${index}].${option} is not modelled by tools/renovate-coverage.ts; model it before using it`);
    }
    if (manager.customType !== 'regex' || (manager.matchStringsStrategy ?? 'any') !== 'any') {
      throw new RenovateModelError(`customManagers[${index}]: only customType regex with matchStringsStrategy any is modelled`);
    }
    if (!manager.fileMatch.some((pattern) => new RegExp(pattern).test(packageFile))) return;
    for (const matchString of manager.matchStrings) {
      // `d` gives the groups' offsets, so a pin can be tied to the exact literal that holds it.
      const regex = new RegExp(matchString, 'gd');
      for (const match of content.matchAll(regex)) {
        const groups = match.groups ?? {};
        const field = (name: string) => {
          const template = (manager as unknown as Record<string, string | undefined>)[`${name}Template`];
          return template !== undefined ? compile(template, groups) : groups[name];
        };
        const depName = field('depName') ?? field('packageName');
        const currentValue = groups.currentValue;
        const datasource = field('datasource');
        // checkIsValidDependency: depName (or packageName), currentValue and datasource must be set.
        if (!depName || !currentValue || !datasource) continue;
        const valueIndices = match.indices?.groups?.currentValue;
        deps.push({
          manager: 'custom.regex',
          customManager: index,
          packageFile,
          depName,
          currentValue,
          datasource,
          registryUrl: field('registryUrl'),
          matchSpan: [match.index!, match.index! + match[0].length],
          valueSpan: valueIndices ? [valueIndices[0], valueIndices[1]] : undefined,
        });
      }
    }
  });
  return deps;
}

const GO_REQUIRE = /^(?<keyword>require)?\s+(?<module>[^\s]+\/?[^\s]+)\s+(?<version>[^\s]+)(?:\s*\/\/\s*(?<comment>[^\s]+)\s*)?$/;
const GO_REPLACE = /^(?<keyword>replace)?\s+(?<module>[^\s]+\/[^\s]+)\s*=>\s*(?<replacement>[^\s]+)(?:\s+(?<version>[^\s]+))?(?:\s*\/\/\s*(?<comment>[^\s]+)\s*)?$/;
const GO_DIRECTIVE = /^\s*go\s+(?<version>[^\s]+)\s*$/;
const GO_TOOLCHAIN = /^\s*toolchain\s+go(?<version>[^\s]+)\s*$/;

/** gomod's line parser (the regexes are Renovate's), one dependency per versioned line. */
export function extractGoMod(packageFile: string, content: string): Dependency[] {
  const deps: Dependency[] = [];
  const dep = (depName: string, currentValue: string, depType: string, disabledByDefault = false): Dependency => ({
    manager: 'gomod',
    packageFile,
    depName,
    currentValue,
    datasource: depType === 'golang' || depType === 'toolchain' ? 'golang-version' : 'go',
    depType,
    disabledByDefault,
  });
  for (const line of content.split(/\r?\n/)) {
    const go = GO_DIRECTIVE.exec(line)?.groups;
    if (go) {
      deps.push(dep('go', go.version!, 'golang'));
      continue;
    }
    const toolchain = GO_TOOLCHAIN.exec(line)?.groups;
    if (toolchain) {
      deps.push(dep('go', toolchain.version!, 'toolchain'));
      continue;
    }
    const require = GO_REQUIRE.exec(line)?.groups;
    if (require) {
      const indirect = require.comment === 'indirect';
      deps.push(dep(require.module!.replace(/^"(.*)"$/, '$1'), require.version!, indirect ? 'indirect' : 'require', indirect));
      continue;
    }
    const replace = GO_REPLACE.exec(line)?.groups;
    // A replace without a version (or to a local path) is not a pin Renovate can move.
    if (replace?.version && !/^[./]/.test(replace.replacement!)) deps.push(dep(replace.replacement!.replace(/^"(.*)"$/, '$1'), replace.version, 'replace'));
  }
  return deps;
}

export class UnpinnedRequirementError extends RenovateModelError {}

/** A requirements file: every requirement must be `name==version` (hashes and comments allowed). */
export function extractRequirements(packageFile: string, content: string): Dependency[] {
  const deps: Dependency[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .replace(/\\$/, '')
      .trim();
    // Options (-r other.txt, --hash=…, --index-url …) are not requirements.
    if (line === '' || line.startsWith('-')) return;
    const pinned = /^(?<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?<version>[^\s;,]+)(?:\s*;.*)?(?:\s+--hash=\S+)*$/.exec(line)?.groups;
    if (!pinned) throw new UnpinnedRequirementError(`${packageFile}:${index + 1}: "${line}" is not pinned; write name==version (the project pins every version)`);
    // Renovate's currentValue is the whole specifier (`==3.2.255`).
    deps.push({ manager: 'pip_requirements', packageFile, depName: pinned.name!, currentValue: `==${pinned.version!}`, datasource: 'pypi' });
  });
  return deps;
}

/** package.json: dependencies, devDependencies, overrides (string values; `npm:` aliases resolved) and engines. */
export function extractNpm(packageFile: string, content: string): Dependency[] {
  const json = JSON.parse(content) as Record<string, Record<string, unknown> | undefined>;
  const deps: Dependency[] = [];
  for (const depType of ['dependencies', 'devDependencies', 'overrides', 'engines'] as const) {
    for (const [name, value] of Object.entries(json[depType] ?? {})) {
      if (typeof value !== 'string') continue;
      const alias = /^npm:(?<target>@?[^@]+)@(?<version>.+)$/.exec(value)?.groups;
      deps.push({
        manager: 'npm',
        packageFile,
        depName: name,
        currentValue: alias ? alias.version! : value,
        datasource: depType === 'engines' && name === 'node' ? 'node-version' : 'npm',
        depType,
      });
    }
  }
  return deps;
}

// ── packageRules ─────────────────────────────────────────────────────────────────────────────────

const MODELLED_MATCHERS = new Set(['matchFileNames', 'matchDepNames', 'matchPackageNames', 'matchManagers', 'matchDepTypes', 'matchDatasources', 'matchUpdateTypes']);

/** Whether a rule applies to a dependency; `updateType` only for rules that ask for one. */
export function ruleMatches(rule: PackageRule, dep: Dependency, updateType?: string): boolean {
  for (const option of Object.keys(rule)) {
    if (option.startsWith('match') && !MODELLED_MATCHERS.has(option)) throw new RenovateModelError(`packageRules: ${option} is not modelled by tools/renovate-coverage.ts; model it before using it`);
    if (option.startsWith('exclude')) throw new RenovateModelError(`packageRules: ${option} is not modelled by tools/renovate-coverage.ts`);
  }
  if (rule.matchFileNames && !matchesList(dep.packageFile, rule.matchFileNames)) return false;
  if (rule.matchDepNames && !matchesList(dep.depName, rule.matchDepNames)) return false;
  if (rule.matchPackageNames && !matchesList(dep.depName, rule.matchPackageNames)) return false;
  if (rule.matchManagers && !matchesList(dep.manager, rule.matchManagers)) return false;
  if (rule.matchDepTypes && !(dep.depType && matchesList(dep.depType, rule.matchDepTypes))) return false;
  if (rule.matchDatasources && !matchesList(dep.datasource, rule.matchDatasources)) return false;
  if (rule.matchUpdateTypes && !(updateType && matchesList(updateType, rule.matchUpdateTypes))) return false;
  return true;
}

/** The group rules (those with a groupName) that apply to a dependency, with their compiled names. */
export function groupsOf(config: RenovateConfig, dep: Dependency): string[] {
  return (config.packageRules ?? [])
    .filter((rule) => rule.groupName !== undefined && ruleMatches(rule, dep))
    .map((rule) => compile(rule.groupName!, { parentDir: basename(dirname(dep.packageFile)), depName: dep.depName }));
}

/** The group Renovate puts a dependency in: the last matching rule's groupName, compiled. */
export function finalGroup(config: RenovateConfig, dep: Dependency): string | undefined {
  return groupsOf(config, dep).at(-1);
}

/** An option's final value for a dependency: later rules override earlier ones, as Renovate applies them. */
export function resolvedOption(config: RenovateConfig, dep: Dependency, option: string, updateType?: string): unknown {
  let value = config[option];
  for (const rule of config.packageRules ?? []) {
    if (option in rule && ruleMatches(rule, dep, updateType)) value = rule[option];
  }
  return value;
}

// ── the catalogue's pins ─────────────────────────────────────────────────────────────────────────

/** A pinned version of the catalogue: `CHARTS.argoCd.version`, `IMAGES.envoy.tag`, … */
export interface CataloguePin {
  /** `TABLE.key.field` */
  readonly path: string;
  readonly table: string;
  readonly key: string;
  readonly value: string;
  /** The pin's string fields (repoURL, chart, repository, package, id, …). */
  readonly fields: Readonly<Record<string, string>>;
}

const PIN_FIELDS = ['version', 'tag'];

/** Every object with a string `version` or `tag` under the catalogue's exports (the module's own values). */
export function cataloguePins(tables: Readonly<Record<string, unknown>>): CataloguePin[] {
  const pins: CataloguePin[] = [];
  const visit = (value: unknown, table: string, keys: string[]) => {
    if (typeof value !== 'object' || value === null) return;
    const entries = Object.entries(value);
    const fields = Object.fromEntries(entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    const pinned = PIN_FIELDS.filter((field) => field in fields);
    for (const field of pinned) pins.push({ path: [table, ...keys, field].join('.'), table, key: keys.join('.'), value: fields[field]!, fields });
    if (pinned.length === 0) for (const [name, child] of entries) visit(child, table, [...keys, name]);
  };
  for (const [table, value] of Object.entries(tables)) visit(value, table, []);
  return pins;
}

/** How one pin is watched: the extraction that reads it (one, unless something is wrong) and its groups. */
export interface PinCoverage {
  readonly pin: CataloguePin;
  /** Custom managers that read this pin's literal (more than one: Renovate would update it twice). */
  readonly extractedBy: readonly Dependency[];
  readonly groups: readonly string[];
}

/** Whether an extraction names this pin: its version, and one of the pin's own fields as the upstream. */
function names(dep: Dependency, pin: CataloguePin): boolean {
  const values = Object.values(pin.fields);
  const upstreams = values.flatMap((value) => [value, value.replace(/^https:\/\/github\.com\//, '')]);
  return dep.currentValue === pin.value && upstreams.includes(dep.depName) && (dep.registryUrl === undefined || values.includes(dep.registryUrl));
}

/**
 * Ties each pin to the literal a custom manager reads for it. Extractions of the same literal (same
 * offsets) are one reading by several managers; a reading no pin claims is a pattern that ran from
 * one pin into the next (its name from one, its version from another).
 */
export function catalogueCoverage(config: RenovateConfig, source: string, tables: Readonly<Record<string, unknown>>): { pins: PinCoverage[]; strays: Dependency[] } {
  const byLiteral = new Map<string, Dependency[]>();
  for (const dep of extractCustom(config, CATALOGUE_FILE, source)) {
    const at = dep.valueSpan ? dep.valueSpan.join(':') : `${dep.customManager}:${dep.matchSpan!.join(':')}`;
    byLiteral.set(at, [...(byLiteral.get(at) ?? []), dep]);
  }
  const readings = [...byLiteral.values()];
  const claimed = new Set<Dependency[]>();
  const pins = cataloguePins(tables).map((pin) => {
    const reading = readings.find((candidate) => !claimed.has(candidate) && names(candidate[0]!, pin));
    if (reading) claimed.add(reading);
    const extractedBy = reading ?? [];
    return { pin, extractedBy, groups: [...new Set(extractedBy.flatMap((dep) => groupsOf(config, dep)))] };
  });
  return { pins, strays: readings.filter((reading) => !claimed.has(reading)).flat() };
}

/** One message per pin that is not read by exactly one manager into exactly one group, and per stray reading. */
export function catalogueProblems(config: RenovateConfig, source: string, tables: Readonly<Record<string, unknown>>): string[] {
  const { pins, strays } = catalogueCoverage(config, source, tables);
  const problems: string[] = [];
  for (const { pin, extractedBy, groups } of pins) {
    if (extractedBy.length === 0) {
      problems.push(`${pin.path} ('${pin.value}') is not matched by any customManager in ${RENOVATE_CONFIG_FILE}; write it in the shape of its table's other pins or add a regex manager for it`);
      continue;
    }
    if (extractedBy.length > 1) {
      problems.push(
        `${pin.path} ('${pin.value}') is matched by ${extractedBy.length} customManagers (${extractedBy.map((dep) => `#${dep.customManager}`).join(', ')}); Renovate would update it twice, make the patterns disjoint`,
      );
      continue;
    }
    const dep = extractedBy[0]!;
    if (groups.length !== 1) {
      problems.push(
        groups.length === 0
          ? `${pin.path} (${dep.datasource} ${dep.depName}) is in no group: add "${dep.depName}" to the matchDepNames of its service's rule in ${RENOVATE_CONFIG_FILE}`
          : `${pin.path} (${dep.datasource} ${dep.depName}) is in ${groups.length} groups (${groups.join(', ')}); keep it in its service's only`,
      );
    }
  }
  for (const dep of strays) {
    problems.push(`customManager #${dep.customManager} reads ${dep.depName} at '${dep.currentValue}', which is no pin of the catalogue: its pattern runs from one pin into another`);
  }
  return problems;
}

/** Problems of a test-infrastructure file: not read by its manager, or a dependency not in exactly one group. */
export function fileProblems(config: RenovateConfig, manager: 'gomod' | 'pip_requirements' | 'npm', deps: readonly Dependency[], packageFile: string): string[] {
  if (!managerReads(config, manager, packageFile)) return [`${packageFile} is not read by Renovate's ${manager} manager: extend ${manager}.fileMatch in ${RENOVATE_CONFIG_FILE}`];
  const problems: string[] = [];
  for (const dep of deps) {
    // Engines and the go/toolchain lines are ranges of the machines, disabled by a rule (docs/upgrading.md).
    if (resolvedOption(config, dep, 'enabled') === false && !dep.disabledByDefault) continue;
    const groups = groupsOf(config, dep);
    if (groups.length !== 1) problems.push(`${packageFile}: ${dep.depName} ${dep.currentValue} is in ${groups.length === 0 ? 'no group' : `${groups.length} groups (${groups.join(', ')})`}`);
  }
  return problems;
}

// ── Kubernetes-version-bound pins ────────────────────────────────────────────────────────────────

/**
 * Pins that exist for one Kubernetes minor and only move with the cluster: vcluster's Kubernetes
 * (an image tag), the test API server's module, Kubernetes' staging modules and the cdk8s-plus
 * package named after the minor. Each must be held by an allowedVersions of the cluster's minor.
 */
export function kubernetesBoundProblems(config: RenovateConfig, clusterMinor: string, npmDependencies: Readonly<Record<string, string>>): string[] {
  const [major, minor] = clusterMinor.split('.').map(Number) as [number, number];
  const problems: string[] = [];
  const held = (dep: Dependency, inside: string, outside: string) => {
    const allowed = resolvedOption(config, dep, 'allowedVersions');
    const regex = typeof allowed === 'string' ? /^\/(.*)\/$/.exec(allowed) : null;
    if (!regex || !new RegExp(regex[1]!).test(inside) || new RegExp(regex[1]!).test(outside)) {
      problems.push(`${dep.depName} is bound to the cluster's Kubernetes ${clusterMinor}: its allowedVersions (${JSON.stringify(allowed ?? null)}) must accept ${inside} and refuse ${outside} in ${RENOVATE_CONFIG_FILE}`);
    }
  };
  const go = (depName: string): Dependency => ({ manager: 'gomod', packageFile: 'tools/go/kube-apiserver/go.mod', depName, currentValue: '', datasource: 'go', depType: 'require' });
  held({ manager: 'custom.regex', packageFile: CATALOGUE_FILE, depName: 'registry.k8s.io/kube-apiserver', currentValue: '', datasource: 'docker' }, `v${major}.${minor}.99`, `v${major}.${minor + 1}.0`);
  held(go('k8s.io/kubernetes'), `v${major}.${minor}.99`, `v${major}.${minor + 1}.0`);
  for (const staging of ['k8s.io/api', 'k8s.io/apimachinery', 'k8s.io/client-go', 'k8s.io/apiserver']) held(go(staging), `v0.${minor}.99`, `v0.${minor + 1}.0`);
  const plus = Object.keys(npmDependencies).filter((name) => /^cdk8s-plus-\d+$/.test(name));
  if (plus.length !== 1 || plus[0] !== `cdk8s-plus-${minor}`) {
    problems.push(`the Kubernetes types must be cdk8s-plus-${minor} for the cluster's Kubernetes ${clusterMinor}, package.json has ${plus.join(', ') || 'none'}`);
  }
  return problems;
}

// ── the model against Renovate's own extraction (npm run renovate:validate) ─────────────────────

interface LoggedDependency {
  readonly depName?: string;
  readonly packageName?: string;
  readonly currentValue?: string;
  readonly datasource?: string;
  readonly depType?: string;
}

/**
 * The dependencies in Renovate's JSON log of `--dry-run=extract` (the record that carries
 * `packageFiles`, by manager), or undefined when no such record was logged. github-actions is left
 * out: it holds no pin the coverage test proves.
 */
export function renovateExtraction(jsonLog: string): Dependency[] | undefined {
  for (const line of jsonLog.split('\n')) {
    if (!line.includes('"packageFiles"')) continue;
    const record = JSON.parse(line) as { packageFiles: Record<string, { packageFile: string; deps: LoggedDependency[] }[]> };
    return Object.entries(record.packageFiles)
      .filter(([manager]) => manager !== 'github-actions')
      .flatMap(([manager, files]) =>
        files.flatMap((file) =>
          file.deps.map((dep) => ({
            manager: manager === 'regex' ? 'custom.regex' : manager,
            packageFile: file.packageFile,
            depName: dep.depName ?? dep.packageName ?? '',
            currentValue: dep.currentValue ?? '',
            datasource: dep.datasource ?? '',
            ...(dep.depType ? { depType: dep.depType } : {}),
          })),
        ),
      );
  }
  return undefined;
}

/** One line per dependency the model and Renovate do not extract the same number of times. */
export function extractionDifferences(model: readonly Dependency[], renovate: readonly Dependency[]): string[] {
  const key = (dep: Dependency) => `${dep.manager} ${dep.packageFile} ${dep.depName} ${dep.currentValue} (${dep.datasource})`;
  const count = (deps: readonly Dependency[]) => deps.reduce((map, dep) => map.set(key(dep), (map.get(key(dep)) ?? 0) + 1), new Map<string, number>());
  const inModel = count(model);
  const inRenovate = count(renovate);
  return [...new Set([...inModel.keys(), ...inRenovate.keys()])]
    .sort()
    .filter((item) => (inModel.get(item) ?? 0) !== (inRenovate.get(item) ?? 0))
    .map((item) => `${item}: Renovate extracts it ${inRenovate.get(item) ?? 0}×, the model ${inModel.get(item) ?? 0}×`);
}
