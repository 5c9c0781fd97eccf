/**
 * A valid tree to break: the committed dist/ plus a `demo` service in prod that uses every kind of
 * reference the gate checks (namespace, service account, ConfigMap, Secret from an ExternalSecret,
 * storage class, issuer, Gateway, listener, backend Service, store, CRDs from upstream Applications).
 * Each corpus case changes one thing in a copy of it.
 */
import { PLATFORM } from '../../charts/environments/platform.ts';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { GATE_WAIVERS } from '../../charts/app/gate-waivers.ts';
import { CHARTS, MANIFESTS } from '../../charts/environments/catalogue.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { podSecurityLabels } from '../../charts/lib/labels.ts';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { toYaml } from '../../charts/lib/render.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { runGate } from '../../gate/gate.ts';
import { loadTree } from '../../gate/load.ts';
import type { GateReport } from '../../gate/types.ts';

const labels = (service: string) => ({
  'app.kubernetes.io/managed-by': 'cdk8s',
  'app.kubernetes.io/part-of': 'plateforme-cedille',
  'platform.cedille.club/environment': 'prod',
  'platform.cedille.club/service': service,
});

const syncPolicy = { automated: { prune: true, selfHeal: true } };

/** Root Applications the fixture adds when the tree lacks them. */
const DEMO_ROOT: Record<string, any> = {
  gatewayApi: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-gateway-api-release', namespace: 'argocd', labels: labels('demo'), annotations: { 'argocd.argoproj.io/sync-wave': '0' } },
    spec: {
      project: 'prod',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'kube-system' },
      source: { repoURL: MANIFESTS.gatewayApiStandard.repoURL, path: MANIFESTS.gatewayApiStandard.path, targetRevision: MANIFESTS.gatewayApiStandard.tag },
      syncPolicy: { ...syncPolicy, syncOptions: ['ServerSideApply=true'] },
    },
  },
  externalSecrets: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-external-secrets-chart', namespace: 'argocd', labels: labels('demo'), annotations: { 'argocd.argoproj.io/sync-wave': '0' } },
    spec: {
      project: 'prod',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'external-secrets' },
      source: { repoURL: CHARTS.externalSecrets.repoURL, chart: CHARTS.externalSecrets.chart, targetRevision: CHARTS.externalSecrets.version, helm: { releaseName: 'external-secrets' } },
      syncPolicy: { ...syncPolicy, syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: podSecurityLabels('restricted', PLATFORM.kubernetesVersion) } },
    },
  },
  edge: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-edge', namespace: 'argocd', labels: labels('root'), annotations: { 'argocd.argoproj.io/sync-wave': '4' } },
    spec: {
      project: 'prod',
      destination: { server: 'https://kubernetes.default.svc' },
      source: { repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', path: 'prod/edge', targetRevision: 'dist' },
      syncPolicy,
    },
  },
};

const CLUSTER_SECRET_STORE: any = {
  apiVersion: 'external-secrets.io/v1beta1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'vault-kv-system', labels: labels('edge') },
  spec: {
    provider: {
      vault: {
        server: 'https://vault.vault.svc:8200',
        path: 'kv-system',
        version: 'v2',
        auth: { kubernetes: { mountPath: 'kubernetes', role: 'external-secrets' } },
      },
    },
  },
};

const GATEWAY_CLASS: any = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'contour', labels: labels('edge') },
  spec: { controllerName: 'projectcontour.io/gateway-controller' },
};

const GATEWAY: any = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'platform', namespace: 'gateway', labels: labels('edge') },
  spec: {
    gatewayClassName: 'contour',
    listeners: [
      { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } },
      {
        name: 'https-demo',
        protocol: 'HTTPS',
        port: 443,
        hostname: 'demo.omni.cedille.club',
        tls: { mode: 'Terminate', certificateRefs: [{ name: 'demo-tls' }] },
        allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'gateway-access': 'true' } } } },
      },
    ],
  },
};

/** `prod/<folder>/<file>` → object, added to the committed dist/. */
export const DEMO_FILES: Record<string, any> = {
  'root/application-prod-demo.yaml': {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-demo', namespace: 'argocd', labels: labels('root'), annotations: { 'argocd.argoproj.io/sync-wave': '95' } },
    spec: {
      project: 'prod',
      destination: { server: 'https://kubernetes.default.svc' },
      source: { repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', path: 'prod/demo', targetRevision: 'dist' },
      syncPolicy,
    },
  },
  'demo/namespace-demo.yaml': {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'demo', labels: { ...labels('demo'), ...podSecurityLabels('restricted', PLATFORM.kubernetesVersion), 'gateway-access': 'true' }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
  },
  'demo/storageclass-mayastor.yaml': {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'mayastor', labels: labels('demo') },
    provisioner: 'io.openebs.csi-mayastor',
    parameters: { protocol: 'nvmf', repl: '2' },
    volumeBindingMode: 'WaitForFirstConsumer',
  },
  'demo/serviceaccount-demo.yaml': { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'demo', namespace: 'demo', labels: labels('demo') } },
  'demo/configmap-demo-config.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-config', namespace: 'demo', labels: labels('demo') }, data: { 'app.yaml': 'greeting: hello\n' } },
  'demo/persistentvolumeclaim-demo-data.yaml': {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'demo-data', namespace: 'demo', labels: labels('demo') },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'mayastor', resources: { requests: { storage: '1Gi' } } },
  },
  'demo/deployment-demo.yaml': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo', namespace: 'demo', labels: labels('demo') },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'demo' } },
      template: {
        metadata: { labels: { app: 'demo' } },
        spec: {
          serviceAccountName: 'demo',
          containers: [
            {
              name: 'demo',
              image: 'jaegertracing/example-hotrod:1.64.0',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'demo-credentials', key: 'token' } } }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/demo' },
                { name: 'data', mountPath: '/data' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: 'demo-config' } },
            { name: 'data', persistentVolumeClaim: { claimName: 'demo-data' } },
          ],
        },
      },
    },
  },
  'demo/service-demo.yaml': {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'demo', namespace: 'demo', labels: labels('demo') },
    spec: { selector: { app: 'demo' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
  },
  'demo/externalsecret-demo-credentials.yaml': {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: 'demo-credentials', namespace: 'demo', labels: labels('demo') },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-kv-system' },
      target: { name: 'demo-credentials', creationPolicy: 'Owner' },
      data: [{ secretKey: 'token', remoteRef: { key: 'demo/api', property: 'token' } }],
    },
  },
  'demo/certificate-demo.yaml': {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'demo', namespace: 'gateway', labels: labels('demo') },
    spec: { secretName: 'demo-tls', dnsNames: ['demo.omni.cedille.club'], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' } },
  },
  'demo/httproute-demo.yaml': {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'demo', namespace: 'demo', labels: labels('demo') },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'gateway', sectionName: 'https-demo' }],
      hostnames: ['demo.omni.cedille.club'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'demo', port: 8080 }] }],
    },
  },
};

/**
 * What the services still missing from main would create (the Gateway and its namespace, the Vault
 * ClusterSecretStore, the Gateway API and External Secrets CRDs), added only when the tree lacks them,
 * so the baseline stays valid as those services land. The Gateway gets a listener for every route.
 */
function edgeFiles(tree: readonly Manifest[]): Record<string, any> {
  const prod = tree.filter((m) => m.environment === 'prod');
  const has = (kind: string, name: string) => prod.some((m) => m.object.kind === kind && m.object.metadata.name === name);
  const installs = (predicate: (source: any) => boolean) => prod.some((m) => m.folder === 'root' && m.object.kind === 'Application' && predicate((m.object as any).spec?.source ?? {}));
  const files: Record<string, any> = {};
  if (!installs((s) => s.path === MANIFESTS.gatewayApiStandard.path && s.repoURL === MANIFESTS.gatewayApiStandard.repoURL)) files['root/application-prod-gateway-api-release.yaml'] = DEMO_ROOT.gatewayApi;
  if (!installs((s) => s.chart === CHARTS.externalSecrets.chart)) files['root/application-prod-external-secrets-chart.yaml'] = DEMO_ROOT.externalSecrets;
  if (!has('Gateway', 'platform') || !has('ClusterSecretStore', 'vault-kv-system')) files['root/application-prod-edge.yaml'] = DEMO_ROOT.edge;
  if (!has('Namespace', 'gateway')) {
    files['edge/namespace-gateway.yaml'] = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gateway', labels: { ...labels('edge'), ...podSecurityLabels('restricted', PLATFORM.kubernetesVersion) } } };
  }
  if (!has('ClusterSecretStore', 'vault-kv-system')) files['edge/clustersecretstore-vault-kv-system.yaml'] = CLUSTER_SECRET_STORE;
  if (!has('Gateway', 'platform')) {
    const routes = [...prod, ...Object.values(DEMO_FILES).map((object) => ({ object }))].filter((m) => m.object.kind === 'HTTPRoute');
    const listeners = routes.flatMap((m: any) =>
      m.object.spec.parentRefs
        .filter((ref: any) => ref.name === 'platform' && ref.namespace === 'gateway' && ref.sectionName?.startsWith('https-'))
        .map((ref: any) => {
          const host = ref.sectionName.slice('https-'.length);
          return {
            name: ref.sectionName,
            protocol: 'HTTPS',
            port: 443,
            hostname: m.object.spec.hostnames[0],
            tls: { mode: 'Terminate', certificateRefs: [{ name: `${host}-tls` }] },
            allowedRoutes: host === 'demo' ? { namespaces: { from: 'Selector', selector: { matchLabels: { 'gateway-access': 'true' } } } } : { namespaces: { from: 'All' } },
          };
        }),
    );
    files['edge/gatewayclass-contour.yaml'] = GATEWAY_CLASS;
    files['edge/gateway-platform.yaml'] = {
      ...GATEWAY,
      spec: { ...GATEWAY.spec, listeners: [GATEWAY.spec.listeners[0], ...listeners.sort((a: any, b: any) => (a.name < b.name ? -1 : 1))] },
    };
  }
  return files;
}

/** The AppProject must allow the upstream repositories the demo installs from. */
function allowDemoRepos(object: any): any {
  if (object.kind !== 'AppProject') return object;
  return { ...object, spec: { ...object.spec, sourceRepos: [...object.spec.sourceRepos, MANIFESTS.gatewayApiStandard.repoURL, CHARTS.externalSecrets.repoURL] } };
}

const ENVIRONMENT_NAMES = ENVIRONMENTS.map((e) => e.name);

let committed: readonly Manifest[] | undefined;
/** The committed dist/, parsed once per test file (callers get copies). */
function committedTree(): readonly Manifest[] {
  committed ??= loadTree(join(REPO_ROOT, 'dist'), ENVIRONMENT_NAMES).manifests;
  return committed;
}

/** The committed dist/ plus the demo, in memory. */
export function baseTree(): Manifest[] {
  const manifests = committedTree().map((m) => ({ ...m, object: allowDemoRepos(structuredClone(m.object)) }));
  // The real Gateway (once the edge service is on main) gets the demo's listener.
  const gateway = manifests.find((m) => m.environment === 'prod' && m.object.kind === 'Gateway' && m.object.metadata.name === 'platform');
  if (gateway) {
    (gateway.object as any).spec.listeners.push({
      name: 'https-demo',
      protocol: 'HTTPS',
      port: 443,
      hostname: 'demo.omni.cedille.club',
      tls: { mode: 'Terminate', certificateRefs: [{ name: 'demo-tls' }] },
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'gateway-access': 'true' } } } },
    });
  }
  for (const [path, object] of Object.entries({ ...edgeFiles(manifests), ...DEMO_FILES })) {
    const [folder, file] = path.split('/') as [string, string];
    // Objects a service on main now creates (e.g. the StorageClass) are not added twice.
    if (manifests.some((m) => m.environment === 'prod' && m.object.kind === object.kind && m.object.metadata.name === object.metadata.name && m.object.metadata.namespace === object.metadata.namespace)) continue;
    manifests.push({ environment: 'prod', folder, file, source: `prod/${path}`, object: structuredClone(object) as KubeObject });
  }
  return manifests;
}

const key = (e: { file: string; field: string; message: string }) => `${e.file}|${e.field}|${e.message}`;
const baselines = new Map<string, Set<string>>();

/**
 * The gate with the real facts and no waivers, reporting what a change adds to the baseline: the
 * tree still has known gaps outside prod (waived by synth, see charts/app/gate-waivers.ts), and a
 * defect of the same kind as a gap must still be caught. Only `environments` are judged (the gate
 * works per environment; a corpus case judges the one it touches).
 */
export function gate(manifests: readonly Manifest[], environments: readonly string[] = ENVIRONMENT_NAMES): GateReport {
  const only = (tree: readonly Manifest[]) => tree.filter((m) => environments.includes(m.environment));
  const id = [...environments].sort().join(',');
  const baseline = baselines.get(id) ?? new Set(runGate(only(baseTree()), { facts: gateFacts(ENVIRONMENTS) }).errors.map(key));
  baselines.set(id, baseline);
  const report = runGate(only(manifests), { facts: gateFacts(ENVIRONMENTS) });
  return { ...report, errors: report.errors.filter((e) => !baseline.has(key(e))) };
}

/** The baseline's own findings, with synth's waivers applied (must be none). */
export function baselineWithWaivers(schemasDir?: string): GateReport {
  const report = runGate(baseTree(), { facts: gateFacts(ENVIRONMENTS), waivers: GATE_WAIVERS, ...(schemasDir ? { schemasDir } : {}) });
  return { ...report, errors: report.errors.filter((e) => e.rule !== 'waivers') };
}

/** The committed dist/ alone, in memory (what `npm run validate` checks with synth's waivers). */
export function distTree(): Manifest[] {
  return committedTree().map((m) => ({ ...m, object: structuredClone(m.object) }));
}

/** Writes a tree (dist copy + changes) to a temporary folder in dist layout; returns its path. */
export function writeTree(manifests: readonly Manifest[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'gate-')), 'dist');
  cpSync(join(REPO_ROOT, 'dist'), dir, { recursive: true });
  for (const manifest of manifests) {
    const path = join(dir, manifest.environment, manifest.folder, manifest.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, toYaml(manifest.object));
  }
  return dir;
}

/** The one prod object of this kind and name, with its file (`prod/<folder>/<file>`). */
export function findObject(manifests: readonly Manifest[], kind: string, name: string): { object: any; file: string } {
  const found = manifests.filter((m) => m.environment === 'prod' && m.object.kind === kind && m.object.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one prod ${kind} ${name}, found ${found.length}`);
  return { object: found[0]!.object, file: `prod/${found[0]!.folder}/${found[0]!.file}` };
}

/** The object in `prod/<path>` (or `<env>/<folder>/<file>` when it has three parts). */
export function objectAt(manifests: readonly Manifest[], path: string): any {
  const parts = path.split('/');
  const [environment, folder, file] = parts.length === 3 ? parts : ['prod', ...parts];
  const found = manifests.find((m) => m.environment === environment && m.folder === folder && m.file === file);
  if (!found) throw new Error(`no ${path} in the tree`);
  return found.object;
}

export function readYaml(path: string): any {
  return parse(readFileSync(path, 'utf8'));
}
