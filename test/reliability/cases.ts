/**
 * The bad-input corpus of issue 18: mistakes a club member would plausibly make, each run through
 * `npm run synth` in-process (runSynth). Each case names the exit code and the exact messages.
 */
import { CHARTS, IMAGES, MANIFESTS, PACKAGES, RELEASE_ASSETS } from '../../charts/environments/catalogue.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import type { Environment, EnvironmentName, SandboxUser } from '../../charts/environments/types.ts';
import { SERVICES } from '../../charts/platform/registry.ts';

export interface SynthCase {
  readonly name: string;
  /** The environments synth sees (default: the real ones). */
  readonly environments?: () => readonly Environment[];
  /** Changes global data (catalogue, registry) for the run; returns the undo. */
  readonly patch?: () => () => void;
  readonly alterFiles?: (files: Map<string, string>) => void;
  readonly code: 1 | 2;
  /** Every message line synth prints (after "synth failed; … was left as it was."), exactly, in order. */
  readonly messages: readonly (string | RegExp)[];
}

/**
 * The real environments with one changed: the host's vcluster settings are pointed at the changed
 * hosted environment too (they hold the environment objects themselves).
 */
export function withEnvironment(name: EnvironmentName, change: (env: any) => void): Environment[] {
  const changed = new Map<string, Environment>();
  for (const env of ENVIRONMENTS) {
    const copy = structuredCloneEnv(env);
    if (env.name === name) change(copy);
    changed.set(env.name, copy);
  }
  return ENVIRONMENTS.map((env) => {
    const copy = changed.get(env.name)!;
    const vcluster = copy.services.vcluster;
    if (!vcluster) return copy;
    return {
      ...copy,
      services: {
        ...copy.services,
        vcluster: { ...vcluster, hosted: Array.isArray(vcluster.hosted) ? vcluster.hosted.map((h) => ({ ...h, environment: changed.get(h?.environment?.name) ?? h?.environment })) : vcluster.hosted },
      },
    };
  });
}

/** A copy deep enough to change any field of one environment (the platform facts stay shared). */
function structuredCloneEnv(env: Environment): Environment {
  const { platform, ...rest } = env;
  const hosted = env.services.vcluster?.hosted;
  const services: any = { ...env.services };
  for (const [key, value] of Object.entries(services)) if (key !== 'vcluster' && key !== 'hosted-edges' && value && typeof value === 'object') services[key] = cloneData(value);
  if (Array.isArray(hosted)) services.vcluster = { ...env.services.vcluster, hosted: hosted.map((h) => ({ ...h })) };
  return { ...cloneData({ ...rest, services: {} }), services, platform } as Environment;
}

function cloneData<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const users = (n: number, size?: SandboxUser['size']): SandboxUser[] => Array.from({ length: n }, (_, i) => ({ github: `member${i}`, expires: '2026-12-31', ...(size ? { size } : {}) }));

/** Replaces one field of a global object for the run. */
export function patchField(target: Record<string, any>, key: string, value: unknown): () => () => void {
  return () => {
    const before = target[key];
    target[key] = value;
    return () => {
      target[key] = before;
    };
  };
}

const image = (key: keyof typeof IMAGES, tag: string) => patchField(IMAGES as any, key, { ...IMAGES[key], tag });

export const DATA_CASES: SynthCase[] = [
  // ── environment facts ────────────────────────────────────────────────────────
  {
    name: 'prod domain is not a domain',
    environments: () => withEnvironment('prod', (e) => (e.domain = 'not a domain')),
    code: 1,
    messages: ['configuration problems (1):', 'prod › environment: domain is "not a domain" but it is not a lower-case DNS domain; use a domain like "staging.omni.cedille.club"'],
  },
  {
    name: 'staging domain in upper case',
    environments: () => withEnvironment('staging', (e) => (e.domain = 'Staging.omni.cedille.club')),
    code: 1,
    messages: ['configuration problems (1):', 'staging › environment: domain is "Staging.omni.cedille.club" but it is not a lower-case DNS domain; use a domain like "staging.omni.cedille.club"'],
  },
  {
    name: 'sandbox domain outside the DNS zone',
    environments: () => withEnvironment('sandbox', (e) => (e.domain = 'sandbox.example.com')),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: domain is "sandbox.example.com" but external-dns publishes only in the zone omni.cedille.club; use omni.cedille.club or a subdomain of it'],
  },
  {
    name: 'prod domain with a trailing dot',
    environments: () => withEnvironment('prod', (e) => (e.domain = 'omni.cedille.club.')),
    code: 1,
    messages: ['configuration problems (1):', 'prod › environment: domain is "omni.cedille.club." but it is not a lower-case DNS domain; use a domain like "staging.omni.cedille.club"'],
  },
  {
    name: 'prod on the staging issuer',
    environments: () => withEnvironment('prod', (e) => (e.certificateIssuer = 'letsencrypt-staging')),
    code: 1,
    messages: [
      'configuration problems (1):',
      'prod › environment: certificateIssuer is "letsencrypt-staging" but prod must use letsencrypt-prod (prod uses prod certificates, staging and sandbox staging ones, never the reverse); set certificateIssuer: \'letsencrypt-prod\'',
    ],
  },
  {
    name: 'staging on the prod issuer',
    environments: () => withEnvironment('staging', (e) => (e.certificateIssuer = 'letsencrypt-prod')),
    code: 1,
    messages: [
      'configuration problems (1):',
      'staging › environment: certificateIssuer is "letsencrypt-prod" but staging must use letsencrypt-staging (prod uses prod certificates, staging and sandbox staging ones, never the reverse); set certificateIssuer: \'letsencrypt-staging\'',
    ],
  },
  {
    name: 'sandbox on the prod issuer',
    environments: () => withEnvironment('sandbox', (e) => (e.certificateIssuer = 'letsencrypt-prod')),
    code: 1,
    messages: [
      'configuration problems (1):',
      'sandbox › environment: certificateIssuer is "letsencrypt-prod" but sandbox must use letsencrypt-staging (prod uses prod certificates, staging and sandbox staging ones, never the reverse); set certificateIssuer: \'letsencrypt-staging\'',
    ],
  },
  {
    name: 'unknown issuer',
    environments: () => withEnvironment('staging', (e) => (e.certificateIssuer = 'letsencrypt')),
    code: 1,
    messages: [
      'configuration problems (1):',
      'staging › environment: certificateIssuer is "letsencrypt" but the issuers are letsencrypt-prod, letsencrypt-staging; use letsencrypt-prod for prod and letsencrypt-staging elsewhere',
    ],
  },
  {
    name: 'destination server without https',
    environments: () => withEnvironment('staging', (e) => (e.destination = { ...e.destination, server: 'staging.vcluster-staging.svc' })),
    code: 1,
    messages: [
      'configuration problems (1):',
      'staging › environment: destination.server is "staging.vcluster-staging.svc" but Argo CD destinations are https URLs of an API server; use e.g. https://kubernetes.default.svc for the host',
    ],
  },
  {
    name: 'Kubernetes version with a patch',
    environments: () => withEnvironment('prod', (e) => (e.platform = { ...e.platform, kubernetesVersion: '1.28.3' })),
    code: 1,
    messages: ['configuration problems (1):', 'prod › environment: platform.kubernetesVersion is "1.28.3" but it is not a Kubernetes minor version; write it as "1.28"'],
  },
  {
    name: 'Kubernetes version with a v',
    environments: () => withEnvironment('staging', (e) => (e.platform = { ...e.platform, kubernetesVersion: 'v1.28' })),
    code: 1,
    messages: ['configuration problems (1):', 'staging › environment: platform.kubernetesVersion is "v1.28" but it is not a Kubernetes minor version; write it as "1.28"'],
  },
  {
    name: 'vcluster newer than its host',
    environments: () => withEnvironment('staging', (e) => (e.platform = { ...e.platform, kubernetesVersion: '1.30' })),
    code: 1,
    messages: [
      'configuration problems (1):',
      'prod › vcluster/VCluster: hosted[0].environment.platform.kubernetesVersion is "1.30" but the catalogue pins vcluster\'s Kubernetes at v1.28.11 (IMAGES.vclusterKubernetes); pin a 1.30 patch release in the catalogue',
    ],
  },
  {
    name: 'vcluster far older than its host (the k3s 1.23 mistake)',
    environments: () => withEnvironment('sandbox', (e) => (e.platform = { ...e.platform, kubernetesVersion: '1.23' })),
    code: 1,
    messages: [
      'configuration problems (1):',
      'prod › vcluster/VCluster: hosted[1].environment.platform.kubernetesVersion is "1.23" but the catalogue pins vcluster\'s Kubernetes at v1.28.11 (IMAGES.vclusterKubernetes); pin a 1.23 patch release in the catalogue',
    ],
  },
  {
    name: 'hosted on an unknown environment',
    environments: () => withEnvironment('staging', (e) => (e.cluster = { ...e.cluster, host: 'nowhere' })),
    code: 1,
    messages: ['configuration problems (1):', 'staging › environment: cluster.host is "nowhere" but a vcluster needs the environment whose cluster hosts it; name a host among prod, staging, sandbox'],
  },
  {
    name: 'duplicate node name',
    environments: () => withEnvironment('prod', (e) => (e.cluster = { ...e.cluster, nodes: [...e.cluster.nodes, e.cluster.nodes[3]] })),
    code: 1,
    messages: ['configuration problems (1):', 'prod › environment: cluster.nodes[7].name is "worker-1" but another node has the same name; list each machine once'],
  },
  {
    name: 'node name with an underscore',
    environments: () => withEnvironment('prod', (e) => (e.cluster = { ...e.cluster, nodes: e.cluster.nodes.map((n: any) => (n.name === 'worker-3' ? { ...n, name: 'Worker_3' } : n)) })),
    code: 1,
    messages: ['configuration problems (1):', 'prod › environment: cluster.nodes[5].name is "Worker_3" but node names are DNS labels; use the name Omni shows for the machine'],
  },
  {
    name: 'misspelled service',
    environments: () => withEnvironment('staging', (e) => (e.services = { ...e.services, 'sample-ap': {} })),
    code: 1,
    messages: [
      'configuration problems (1):',
      'staging › environment: services is "sample-ap" but it is not a service of the registry (cert-manager, vault-tls, vault, external-secrets, gateway-api, gateway, hosted-edges, external-dns, argocd, vcluster, storage, cluster-access, mesh, clickhouse, opentelemetry, grafana, sample-app, crossplane, kubevirt, backups, kube-router); fix the name, or add the service to charts/platform/registry.ts',
    ],
  },
  {
    name: 'a service called root',
    environments: () => withEnvironment('sandbox', (e) => (e.services = { ...e.services, root: {} })),
    code: 1,
    messages: [
      'configuration problems (2):',
      'sandbox › environment: services is "root" but it is not a service of the registry (cert-manager, vault-tls, vault, external-secrets, gateway-api, gateway, hosted-edges, external-dns, argocd, vcluster, storage, cluster-access, mesh, clickhouse, opentelemetry, grafana, sample-app, crossplane, kubevirt, backups, kube-router); fix the name, or add the service to charts/platform/registry.ts',
      'sandbox › environment: services is "root" but "root" is the folder of the Argo CD root; rename the service',
    ],
  },
  {
    name: 'unknown environment name',
    environments: () => withEnvironment('sandbox', (e) => (e.name = 'dev')),
    code: 1,
    messages: ['configuration problems (1):', 'dev › environment: name is "dev" but environments are prod, staging, sandbox; use one of those names (a new environment also needs its entry in ENVIRONMENT_NAMES)'],
  },
  // ── sandbox users ────────────────────────────────────────────────────────────
  {
    name: 'sandbox login with a space',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'jane doe', expires: '2026-12-31' }])),
    code: 1,
    messages: [
      'configuration problems (1):',
      'sandbox › environment: sandboxUsers[0].github is "jane doe" but it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters); use the user\'s GitHub login exactly',
    ],
  },
  {
    name: 'sandbox login with an @',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: '@epsot', expires: '2026-12-31' }])),
    code: 1,
    messages: [
      'configuration problems (1):',
      'sandbox › environment: sandboxUsers[0].github is "@epsot" but it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters); use the user\'s GitHub login exactly',
    ],
  },
  {
    name: 'sandbox login of 40 characters',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'a'.repeat(40), expires: '2026-12-31' }])),
    code: 1,
    messages: [
      'configuration problems (1):',
      'sandbox › environment: sandboxUsers[0].github is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" but it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters); use the user\'s GitHub login exactly',
    ],
  },
  {
    name: 'sandbox login with a double dash',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'a--b', expires: '2026-12-31' }])),
    code: 1,
    messages: [
      'configuration problems (1):',
      'sandbox › environment: sandboxUsers[0].github is "a--b" but it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters); use the user\'s GitHub login exactly',
    ],
  },
  {
    name: 'empty sandbox login',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: '', expires: '2026-12-31' }])),
    code: 1,
    messages: [
      'configuration problems (1):',
      'sandbox › environment: sandboxUsers[0].github is "" but it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters); use the user\'s GitHub login exactly',
    ],
  },
  {
    name: 'same user twice (case differs)',
    environments: () =>
      withEnvironment(
        'sandbox',
        (e) =>
          (e.sandboxUsers = [
            { github: 'epsot', expires: '2026-12-31' },
            { github: 'Epsot', expires: '2026-12-31' },
          ]),
      ),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[1].github is "Epsot" but this user already has a sandbox (GitHub logins are case-insensitive); remove the duplicate line'],
  },
  {
    name: 'expiry in the wrong format',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'epsot', expires: '01/05/2027' }])),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[0].expires is "01/05/2027" but it is not a date written YYYY-MM-DD; write the last day of the sandbox, e.g. "2027-05-01"'],
  },
  {
    name: 'expiry on month 13',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'epsot', expires: '2026-13-01' }])),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[0].expires is "2026-13-01" but it is not a date written YYYY-MM-DD; write the last day of the sandbox, e.g. "2027-05-01"'],
  },
  {
    name: 'expiry on February 30',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'epsot', expires: '2027-02-30' }])),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[0].expires is "2027-02-30" but it is not a date written YYYY-MM-DD; write the last day of the sandbox, e.g. "2027-05-01"'],
  },
  {
    name: 'expiry as a number',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'epsot', expires: 20270501 }])),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[0].expires is 20270501 but it is not a date written YYYY-MM-DD; write the last day of the sandbox, e.g. "2027-05-01"'],
  },
  {
    name: 'unknown sandbox size',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'epsot', size: 'huge', expires: '2026-12-31' }])),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[0].size is "huge" but sizes are small, medium, large; pick one of those sizes'],
  },
  {
    name: 'sandbox size in capitals',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = [{ github: 'epsot', size: 'Small', expires: '2026-12-31' }])),
    code: 1,
    messages: ['configuration problems (1):', 'sandbox › environment: sandboxUsers[0].size is "Small" but sizes are small, medium, large; pick one of those sizes'],
  },
  // ── capacity ─────────────────────────────────────────────────────────────────
  {
    name: '2,000 sandbox users (stopped before the build)',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = users(2000))),
    code: 1,
    messages: [
      'configuration problems (2):',
      `prod › vcluster: requests.cpu is "4012" but the quotas of 2002 vclusters (4012, 2000 personal sandboxes) plus the platform's pods (0) exceed the 48 of 3 schedulable node(s): worker-1, worker-2, worker-3; at most 18 small personal sandboxes fit beside the platform and the hosted environments (docs/capacity.md); remove or shrink sandboxes in charts/environments/sandbox-users.ts, or add nodes (capacity) in charts/environments/platform.ts`,
      `prod › vcluster: requests.memory is "8024Gi" but the quotas of 2002 vclusters (8024Gi, 2000 personal sandboxes) plus the platform's pods (0Gi) exceed the 192Gi of 3 schedulable node(s): worker-1, worker-2, worker-3; at most 18 small personal sandboxes fit beside the platform and the hosted environments (docs/capacity.md); remove or shrink sandboxes in charts/environments/sandbox-users.ts, or add nodes (capacity) in charts/environments/platform.ts`,
    ],
  },
  {
    name: '40 small sandboxes',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = users(40))),
    code: 1,
    messages: [
      'configuration problems (1):',
      `prod › vcluster: requests.cpu is "92" but the quotas of 42 vclusters (92, 40 personal sandboxes) plus the platform's pods (0) exceed the 48 of 3 schedulable node(s): worker-1, worker-2, worker-3; at most 18 small personal sandboxes fit beside the platform and the hosted environments (docs/capacity.md); remove or shrink sandboxes in charts/environments/sandbox-users.ts, or add nodes (capacity) in charts/environments/platform.ts`,
    ],
  },
  {
    name: '10 large sandboxes',
    environments: () => withEnvironment('sandbox', (e) => (e.sandboxUsers = users(10, 'large'))),
    code: 1,
    messages: [
      'configuration problems (1):',
      `prod › vcluster: requests.cpu is "92" but the quotas of 12 vclusters (92, 10 personal sandboxes) plus the platform's pods (0) exceed the 48 of 3 schedulable node(s): worker-1, worker-2, worker-3; at most 18 small personal sandboxes fit beside the platform and the hosted environments (docs/capacity.md); remove or shrink sandboxes in charts/environments/sandbox-users.ts, or add nodes (capacity) in charts/environments/platform.ts`,
    ],
  },
  {
    name: 'worker without its capacity',
    environments: () => withEnvironment('prod', (e) => (e.cluster = { ...e.cluster, nodes: e.cluster.nodes.map((n: any) => (n.name === 'worker-2' ? { ...n, capacity: undefined } : n)) })),
    code: 1,
    messages: [
      'configuration problems (1):',
      `prod › environment: cluster.nodes[4].capacity is missing but the capacity check needs the allocatable cpu and memory of every schedulable node (worker-2 has none); add capacity: { cpu: '16', memory: '64Gi' } with the node's real allocatable values (kubectl describe node) in charts/environments/platform.ts`,
    ],
  },
  // ── catalogue pins ───────────────────────────────────────────────────────────
  ...[
    ['0.8', 'image tag 0.8 (a minor, moves)'],
    ['rolling', 'image tag rolling'],
    ['sha256:abc', 'image "digest" sha256:abc'],
    ['latest', 'image tag latest'],
    ['1.64', 'image tag 1.64'],
    ['1.64.0@sha256:1234', 'short digest after the tag'],
  ].map(
    ([tag, name]): SynthCase => ({
      name: name!,
      patch: image('sampleApp', tag!),
      code: 1,
      messages: [
        'configuration problems (1):',
        `all environments › catalogue: IMAGES.sampleApp.tag is ${JSON.stringify(tag)} but images are pinned to one released version like 1.2.3 (latest, rolling, 0.8 and the like move; a digest is sha256: and 64 hex digits after the version); set a released tag in charts/environments/catalogue.ts`,
      ],
    }),
  ),
  {
    name: 'chart version range',
    patch: patchField(CHARTS as any, 'grafana', { ...CHARTS.grafana, version: '^8.0.0' }),
    code: 1,
    messages: [
      'configuration problems (1):',
      'all environments › catalogue: CHARTS.grafana.version is "^8.0.0" but every chart is pinned to one released version (no range, no floating name); set the chart version in charts/environments/catalogue.ts',
    ],
  },
  {
    name: 'chart repository over http',
    patch: patchField(CHARTS as any, 'grafana', { ...CHARTS.grafana, repoURL: 'http://grafana.github.io/helm-charts' }),
    code: 1,
    messages: [
      'configuration problems (1):',
      'all environments › catalogue: CHARTS.grafana.repoURL is "http://grafana.github.io/helm-charts" but charts come from an https or oci repository; set the chart repository in charts/environments/catalogue.ts',
    ],
  },
  {
    name: 'upstream manifests at a branch',
    patch: patchField(MANIFESTS as any, Object.keys(MANIFESTS)[0]!, { ...(MANIFESTS as any)[Object.keys(MANIFESTS)[0]!], tag: 'main' }),
    code: 1,
    messages: [
      'configuration problems (1):',
      'all environments › catalogue: MANIFESTS.gatewayApiStandard.tag is "main" but upstream manifests are read at a release tag, never a branch; set the release tag in charts/environments/catalogue.ts',
    ],
  },
  {
    name: 'Crossplane package at latest',
    patch: patchField(PACKAGES as any, 'providerKubernetes', { ...PACKAGES.providerKubernetes, version: 'latest' }),
    code: 1,
    messages: [
      'configuration problems (1):',
      'all environments › catalogue: PACKAGES.providerKubernetes.version is "latest" but every Crossplane package is pinned to one released version; set the package version in charts/environments/catalogue.ts',
    ],
  },
  {
    name: 'release assets at latest',
    patch: patchField(RELEASE_ASSETS as any, Object.keys(RELEASE_ASSETS)[0]!, { ...(RELEASE_ASSETS as any)[Object.keys(RELEASE_ASSETS)[0]!], tag: 'latest' }),
    code: 1,
    messages: [
      'configuration problems (1):',
      'all environments › catalogue: RELEASE_ASSETS.kubevirtOperator.tag is "latest" but release assets are read from one release, never a moving name like "latest"; set the release tag in charts/environments/catalogue.ts',
    ],
  },
  // ── registry ─────────────────────────────────────────────────────────────────
  {
    name: 'dependency cycle in the registry',
    patch: patchField(SERVICES as any, 'gateway-api', { ...SERVICES['gateway-api'], dependsOn: ['gateway'] }),
    code: 1,
    messages: [
      'configuration problems (1):',
      'all environments › charts/platform/registry.ts: dependsOn forms a cycle cert-manager → gateway-api → gateway → cert-manager, so no service of it can sync first; remove one of these dependencies',
    ],
  },
  {
    name: 'unknown dependency in the registry',
    patch: patchField(SERVICES as any, 'grafana', { ...SERVICES.grafana, dependsOn: ['clickhose'] }),
    code: 1,
    messages: ['configuration problems (1):', 'all environments › charts/platform/registry.ts: grafana.dependsOn is "clickhose" but no service of the registry has that name; fix the name or add the service'],
  },
];
