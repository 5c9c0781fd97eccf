import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import * as CATALOGUE from '../charts/environments/catalogue.ts';
import { IMAGES } from '../charts/environments/catalogue.ts';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import {
  CATALOGUE_FILE,
  RenovateModelError,
  UnpinnedRequirementError,
  catalogueCoverage,
  catalogueProblems,
  extractGoMod,
  extractNpm,
  extractRequirements,
  extractionDifferences,
  fileProblems,
  groupsOf,
  kubernetesBoundProblems,
  readRenovateConfig,
  renovateExtraction,
  resolvedOption,
  ruleMatches,
  type Dependency,
  type RenovateConfig,
} from '../tools/renovate-coverage.ts';

const config = readRenovateConfig();
const catalogue = readFileSync(join(REPO_ROOT, CATALOGUE_FILE), 'utf8');
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** The datasource each table's pins are looked up in. A new table is a new kind of pin: say where it comes from. */
const TABLE_DATASOURCE: Record<string, string> = {
  CHARTS: 'helm',
  MANIFESTS: 'github-tags',
  RELEASE_ASSETS: 'github-releases',
  IMAGES: 'docker',
  PACKAGES: 'docker',
  GRAFANA_PLUGINS: 'custom.grafana-plugins',
};

/** The services (folders of charts/platform/) whose sources name a pin: `IMAGES.envoy`, or `PACKAGES[key]` for a whole table. */
function pinUsers(): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  const platform = join(REPO_ROOT, 'charts', 'platform');
  for (const service of readdirSync(platform, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    for (const file of readdirSync(join(platform, service.name)).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(platform, service.name, file), 'utf8');
      for (const [, table, key] of source.matchAll(/\b([A-Z_]+)(?:\.(\w+)|\[)/g)) {
        const id = key ? `${table}.${key}` : `${table}[]`;
        users.set(id, (users.get(id) ?? new Set()).add(service.name));
      }
    }
  }
  return users;
}

function filesUnder(dir: string, name: RegExp): string[] {
  const root = join(REPO_ROOT, dir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => name.test(path.split('/').pop()!))
    .map((path) => relative(REPO_ROOT, join(root, path)));
}

describe('Renovate watches every pin of the catalogue', () => {
  const { pins: coverage } = catalogueCoverage(config, catalogue, CATALOGUE);

  it('every version of the catalogue is read by exactly one custom manager, under its own name, into exactly one group', () => {
    expect(catalogueProblems(config, catalogue, CATALOGUE)).toEqual([]);
    // 13 charts, 3 manifests, 2 release assets, 11 images, 4 Crossplane packages, 1 Grafana plugin
    expect(coverage.length).toBeGreaterThanOrEqual(34);
  });

  it("each extraction names the pin's own upstream, in the datasource of its table", () => {
    for (const { pin, extractedBy } of coverage) {
      const [dep] = extractedBy;
      expect(TABLE_DATASOURCE[pin.table], `${pin.path}: table ${pin.table} has no datasource in this test`).toBeDefined();
      expect(dep!.datasource, pin.path).toBe(TABLE_DATASOURCE[pin.table]);
      if (pin.table === 'CHARTS') expect(dep!.registryUrl, pin.path).toBe(pin.fields.repoURL);
    }
  });

  it('each pin is in the group of the one service that uses it (one PR per service)', () => {
    const users = pinUsers();
    for (const { pin, groups } of coverage) {
      const services = users.get(`${pin.table}.${pin.key}`) ?? users.get(`${pin.table}[]`);
      expect(services && [...services], `${pin.path} is used by no service, or by several`).toHaveLength(1);
      expect(groups, pin.path).toEqual([`service ${[...services!][0]}`]);
    }
  });

  it('a service group names a service folder of charts/platform/', () => {
    const services = readdirSync(join(REPO_ROOT, 'charts', 'platform'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const rule of config.packageRules ?? []) {
      const service = /^service (.+)$/.exec(rule.groupName ?? '')?.[1];
      if (service) expect(services, rule.groupName).toContain(service);
    }
  });

  describe('fails when a pin is added without a rule', () => {
    const withTable = (text: string) => `${catalogue}\n${text}\n`;

    it('a pin of a new shape', () => {
      const source = withTable("export const HELM_PLUGINS = {\n  diff: { url: 'https://github.com/databus23/helm-diff', version: 'v3.9.14' },\n} as const;");
      const tables = { ...CATALOGUE, HELM_PLUGINS: { diff: { url: 'https://github.com/databus23/helm-diff', version: 'v3.9.14' } } };
      expect(catalogueProblems(config, source, tables)).toEqual([
        `HELM_PLUGINS.diff.version ('v3.9.14') is not matched by any customManager in .github/renovate.json5; write it in the shape of its table's other pins or add a regex manager for it`,
      ]);
    });

    it('an image no service group lists', () => {
      const source = catalogue.replace("  vault: { repository: 'hashicorp/vault'", "  redis: { repository: 'docker.io/library/redis', tag: '7.4.1' },\n  vault: { repository: 'hashicorp/vault'");
      const tables = { ...CATALOGUE, IMAGES: { ...IMAGES, redis: { repository: 'docker.io/library/redis', tag: '7.4.1' } } };
      expect(catalogueProblems(config, source, tables)).toEqual([
        `IMAGES.redis.tag (docker docker.io/library/redis) is in no group: add "docker.io/library/redis" to the matchDepNames of its service's rule in .github/renovate.json5`,
      ]);
    });

    it('a chart whose fields are written in another order', () => {
      const source = catalogue.replace("    chart: 'kuma',\n    version: '2.9.19',", "    version: '2.9.19',\n    chart: 'kuma',");
      expect(catalogueProblems(config, source, CATALOGUE)).toEqual([
        `CHARTS.kuma.version ('2.9.19') is not matched by any customManager in .github/renovate.json5; write it in the shape of its table's other pins or add a regex manager for it`,
      ]);
    });

    it('two managers that both match a pin', () => {
      const twice: RenovateConfig = { ...config, customManagers: [...config.customManagers!, config.customManagers!.find((manager) => manager.description?.startsWith('Container images'))!] };
      expect(catalogueProblems(twice, catalogue, CATALOGUE)).toContain(`IMAGES.envoy.tag ('v1.31.10') is matched by 2 customManagers (#3, #6); Renovate would update it twice, make the patterns disjoint`);
    });

    it('a pattern that reads one pin through its neighbour', () => {
      // A chart pin that lost its version lets a lazy pattern run on into the next object.
      const loose: RenovateConfig = {
        ...config,
        customManagers: [{ customType: 'regex', fileMatch: ['^charts/environments/catalogue\\.ts$'], matchStrings: ["chart: '(?<depName>[^']+)'[\\s\\S]*?version: '(?<currentValue>[^']+)'"], datasourceTemplate: 'helm' }],
      };
      const source = catalogue.replace("    version: '1.18.5',\n", '');
      expect(catalogueProblems(loose, source, CATALOGUE)).toContain("customManager #0 reads crossplane at '0.21.6', which is no pin of the catalogue: its pattern runs from one pin into another");
    });
  });
});

describe('Renovate watches the test infrastructure', () => {
  const kubeApiserverGoMod = [
    'module github.com/ClubCedille/Plateforme-Cedille/tools/go/kube-apiserver',
    '',
    'go 1.26',
    '',
    'require k8s.io/kubernetes v1.28.15',
    '',
    'require (',
    '\tgithub.com/spf13/cobra v1.7.0 // indirect',
    '\tk8s.io/api v0.0.0 // indirect',
    ')',
    '',
    'replace (',
    '\tk8s.io/api => k8s.io/api v0.28.15',
    '\tk8s.io/apiserver => k8s.io/apiserver v0.28.15',
    ')',
    '',
  ].join('\n');

  it('a Go module under tools/go/<tool>/: every require and replace in the group of its tool, Kubernetes modules held to the cluster minor', () => {
    const path = 'tools/go/kube-apiserver/go.mod';
    const deps = extractGoMod(path, kubeApiserverGoMod);
    expect(deps.map((dep) => `${dep.depType} ${dep.depName} ${dep.currentValue}`)).toEqual([
      'golang go 1.26',
      'require k8s.io/kubernetes v1.28.15',
      'indirect github.com/spf13/cobra v1.7.0',
      'indirect k8s.io/api v0.0.0',
      'replace k8s.io/api v0.28.15',
      'replace k8s.io/apiserver v0.28.15',
    ]);
    expect(fileProblems(config, 'gomod', deps, path)).toEqual([]);
    expect(groupsOf(config, deps[1]!)).toEqual(['go tool kube-apiserver']);
    expect(resolvedOption(config, deps[0]!, 'enabled')).toBe(false);
    expect(resolvedOption(config, deps[1]!, 'allowedVersions')).toBe('/^v1\\.28\\./');
    expect(resolvedOption(config, deps[4]!, 'allowedVersions')).toBe('/^v0\\.28\\./');
  });

  it('every go.mod under tools/go/ in the repository', () => {
    for (const path of filesUnder('tools/go', /^go\.mod$/)) {
      expect(fileProblems(config, 'gomod', extractGoMod(path, read(path)), path), path).toEqual([]);
    }
  });

  it('fails for a Go module outside tools/go/<tool>/', () => {
    expect(fileProblems(config, 'gomod', extractGoMod('tools/kubeconform/go.mod', kubeApiserverGoMod), 'tools/kubeconform/go.mod')).toEqual([
      "tools/kubeconform/go.mod is not read by Renovate's gomod manager: extend gomod.fileMatch in .github/renovate.json5",
    ]);
  });

  it('a requirements file under tools/: each package in the group of its folder', () => {
    const path = 'tools/checkov/requirements.txt';
    const deps = extractRequirements(path, '# Checkov for the policy scan\ncheckov==3.2.255 \\\n    --hash=sha256:0000\nPyYAML==6.0.2  # pinned by checkov\n');
    expect(deps.map((dep) => `${dep.depName}${dep.currentValue}`)).toEqual(['checkov==3.2.255', 'PyYAML==6.0.2']);
    expect(fileProblems(config, 'pip_requirements', deps, path)).toEqual([]);
    expect(groupsOf(config, deps[0]!)).toEqual(['python checkov']);
    expect(fileProblems(config, 'pip_requirements', deps, 'tools/requirements-checkov.txt')).toEqual([]);
  });

  it('every requirements file under tools/ in the repository', () => {
    for (const path of filesUnder('tools', /^requirements[^/]*\.txt$/)) {
      expect(fileProblems(config, 'pip_requirements', extractRequirements(path, read(path)), path), path).toEqual([]);
    }
  });

  it('fails for an unpinned requirement', () => {
    expect(() => extractRequirements('tools/checkov/requirements.txt', 'checkov>=3\n')).toThrow(
      new UnpinnedRequirementError('tools/checkov/requirements.txt:1: "checkov>=3" is not pinned; write name==version (the project pins every version)'),
    );
  });

  it('the npm dependencies, and Renovate itself held to the releases that run on Node 20', () => {
    for (const path of ['package.json', 'tools/renovate/package.json']) {
      expect(fileProblems(config, 'npm', extractNpm(path, read(path)), path), path).toEqual([]);
    }
    const [renovate] = extractNpm('tools/renovate/package.json', read('tools/renovate/package.json'));
    expect(resolvedOption(config, renovate!, 'allowedVersions')).toBe('<40');
  });
});

describe('Kubernetes-version-bound pins move only with the cluster', () => {
  const minors = [...new Set(ENVIRONMENTS.map((environment) => environment.platform.kubernetesVersion))];
  const dependencies = (JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies;

  it("are held to the cluster's minor", () => {
    expect(minors).toHaveLength(1);
    expect(kubernetesBoundProblems(config, minors[0]!, dependencies)).toEqual([]);
    expect(IMAGES.vclusterKubernetes.tag.startsWith(`v${minors[0]}.`)).toBe(true);
  });

  it('fails when the cluster moves and the rules do not', () => {
    expect(kubernetesBoundProblems(config, '1.29', dependencies)).toEqual([
      `registry.k8s.io/kube-apiserver is bound to the cluster's Kubernetes 1.29: its allowedVersions ("/^v1\\\\.28\\\\./") must accept v1.29.99 and refuse v1.30.0 in .github/renovate.json5`,
      `k8s.io/kubernetes is bound to the cluster's Kubernetes 1.29: its allowedVersions ("/^v1\\\\.28\\\\./") must accept v1.29.99 and refuse v1.30.0 in .github/renovate.json5`,
      `k8s.io/api is bound to the cluster's Kubernetes 1.29: its allowedVersions ("/^v0\\\\.28\\\\./") must accept v0.29.99 and refuse v0.30.0 in .github/renovate.json5`,
      `k8s.io/apimachinery is bound to the cluster's Kubernetes 1.29: its allowedVersions ("/^v0\\\\.28\\\\./") must accept v0.29.99 and refuse v0.30.0 in .github/renovate.json5`,
      `k8s.io/client-go is bound to the cluster's Kubernetes 1.29: its allowedVersions ("/^v0\\\\.28\\\\./") must accept v0.29.99 and refuse v0.30.0 in .github/renovate.json5`,
      `k8s.io/apiserver is bound to the cluster's Kubernetes 1.29: its allowedVersions ("/^v0\\\\.28\\\\./") must accept v0.29.99 and refuse v0.30.0 in .github/renovate.json5`,
      "the Kubernetes types must be cdk8s-plus-29 for the cluster's Kubernetes 1.29, package.json has cdk8s-plus-28",
    ]);
  });
});

describe('pacing', () => {
  const catalogueDeps: Dependency[] = catalogueCoverage(config, catalogue, CATALOGUE).pins.flatMap((coverage) => coverage.extractedBy);
  const infrastructureDeps: Dependency[] = [
    ...extractNpm('package.json', read('package.json')),
    ...extractGoMod('tools/go/helm/go.mod', 'require helm.sh/helm/v3 v3.16.4\n'),
    ...extractRequirements('tools/checkov/requirements.txt', 'checkov==3.2.255\n'),
  ];

  it('no major update is ever automerged, and each waits for approval on the dashboard', () => {
    for (const dep of [...catalogueDeps, ...infrastructureDeps]) {
      expect(resolvedOption(config, dep, 'automerge', 'major'), dep.depName).toBe(false);
      expect(resolvedOption(config, dep, 'dependencyDashboardApproval', 'major'), dep.depName).toBe(true);
    }
  });

  it("what runs in the cluster is always reviewed; the test infrastructure's minor and patch updates merge once proven", () => {
    for (const dep of catalogueDeps) expect(resolvedOption(config, dep, 'automerge', 'patch'), dep.depName).toBeFalsy();
    expect(resolvedOption(config, infrastructureDeps.find((dep) => dep.depName === 'vitest')!, 'automerge', 'patch')).toBe(true);
    expect(resolvedOption(config, infrastructureDeps.find((dep) => dep.depName === 'cdk8s')!, 'automerge', 'patch')).toBeFalsy();
    expect(resolvedOption(config, infrastructureDeps.find((dep) => dep.manager === 'gomod')!, 'automerge', 'minor')).toBe(true);
  });

  it('the post-upgrade task runs scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const commands = (config.postUpgradeTasks as { commands: string[] }).commands;
    const called = commands.flatMap((command) => [...(/npm run (\S+)/.exec(command)?.slice(1) ?? [])]);
    expect(called).toEqual(['upgrade:refresh']);
    expect(scripts).toEqual(expect.arrayContaining(called));
  });

  it('minor and patch weekly; security fixes at any time without soak', () => {
    expect(config.schedule).toEqual(['before 6am on monday']);
    expect(config.vulnerabilityAlerts).toMatchObject({ schedule: ['at any time'], minimumReleaseAge: null });
    expect(config.osvVulnerabilityAlerts).toBe(true);
  });

  it('the model refuses a packageRule matcher it does not know, rather than guess', () => {
    expect(() => ruleMatches({ matchCurrentVersion: '<2' }, catalogueDeps[0]!)).toThrow(
      new RenovateModelError('packageRules: matchCurrentVersion is not modelled by tools/renovate-coverage.ts; model it before using it'),
    );
  });
});

describe("the model against Renovate's own extraction (npm run renovate:validate)", () => {
  // One record of Renovate's JSON log in --dry-run=extract mode, trimmed to the fields read.
  const log = [
    '{"msg":"Repository started"}',
    JSON.stringify({
      msg: 'packageFiles with updates',
      packageFiles: {
        regex: [{ packageFile: CATALOGUE_FILE, deps: [{ depName: 'kuma', currentValue: '2.9.19', datasource: 'helm' }] }],
        gomod: [{ packageFile: 'tools/go/helm/go.mod', deps: [{ depName: 'helm.sh/helm/v3', currentValue: 'v3.16.4', datasource: 'go' }] }],
        'github-actions': [{ packageFile: '.github/workflows/ci.yml', deps: [{ depName: 'actions/checkout', currentValue: 'v4', datasource: 'github-tags' }] }],
      },
    }),
  ].join('\n');
  const model = [
    ...catalogueCoverage(config, catalogue, CATALOGUE)
      .pins.flatMap((coverage) => coverage.extractedBy)
      .filter((dep) => dep.depName === 'kuma'),
    ...extractGoMod('tools/go/helm/go.mod', 'require helm.sh/helm/v3 v3.16.4\n'),
  ];

  it('agree when Renovate extracts what the model does', () => {
    expect(extractionDifferences(model, renovateExtraction(log)!)).toEqual([]);
  });

  it('fails when Renovate extracts a pin the model misses, or the other way round', () => {
    expect(extractionDifferences(model.slice(0, 1), renovateExtraction(log)!)).toEqual(['gomod tools/go/helm/go.mod helm.sh/helm/v3 v3.16.4 (go): Renovate extracts it 1×, the model 0×']);
    expect(extractionDifferences([...model, model[0]!], renovateExtraction(log)!)).toEqual(['custom.regex charts/environments/catalogue.ts kuma 2.9.19 (helm): Renovate extracts it 1×, the model 2×']);
  });

  it('finds nothing in a log without the packageFiles record', () => {
    expect(renovateExtraction('{"msg":"Repository started"}')).toBeUndefined();
  });
});
