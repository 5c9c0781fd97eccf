/**
 * A valid tree to break: the committed dist/ plus a `demo` service in prod that uses every kind of
 * reference the gate checks (namespace, service account, ConfigMap, Secret from an ExternalSecret,
 * storage class, issuer, Gateway, listener, backend Service, store, CRDs from upstream Applications).
 * Each corpus case changes one thing in a copy of it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { gateFacts } from '../../charts/app/gate-facts.ts';
import { CHARTS, MANIFESTS } from '../../charts/environments/catalogue.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { podSecurityLabels } from '../../charts/lib/labels.ts';
import type { KubeObject, Manifest } from '../../charts/lib/manifest.ts';
import { toYaml } from '../../charts/lib/render.ts';
import { REPO_ROOT } from '../../charts/lib/schemas-location.ts';
import { runGate } from '../../charts/lib/validation/gate.ts';
import { loadTree } from '../../charts/lib/validation/load.ts';
import type { GateReport } from '../../charts/lib/validation/types.ts';

const labels = (service: string) => ({
  'app.kubernetes.io/managed-by': 'cdk8s',
  'app.kubernetes.io/part-of': 'plateforme-cedille',
  'platform.cedille.club/environment': 'prod',
  'platform.cedille.club/service': service,
});

const syncPolicy = { automated: { prune: true, selfHeal: true } };

/** `prod/<folder>/<file>` → object, added to the committed dist/. */
export const DEMO_FILES: Record<string, any> = {
  'root/application-prod-gateway-api-release.yaml': {
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
  'root/application-prod-external-secrets-chart.yaml': {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-external-secrets-chart', namespace: 'argocd', labels: labels('demo'), annotations: { 'argocd.argoproj.io/sync-wave': '10' } },
    spec: {
      project: 'prod',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'external-secrets' },
      source: { repoURL: CHARTS.externalSecrets.repoURL, chart: CHARTS.externalSecrets.chart, targetRevision: CHARTS.externalSecrets.version, helm: { releaseName: 'external-secrets' } },
      syncPolicy: { ...syncPolicy, syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: podSecurityLabels('restricted') } },
    },
  },
  'root/application-prod-demo.yaml': {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-demo', namespace: 'argocd', labels: labels('root'), annotations: { 'argocd.argoproj.io/sync-wave': '15' } },
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
    metadata: { name: 'demo', labels: { ...labels('demo'), ...podSecurityLabels('restricted'), 'gateway-access': 'true' }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
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
              volumeMounts: [{ name: 'config', mountPath: '/etc/demo' }, { name: 'data', mountPath: '/data' }],
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
  'demo/clustersecretstore-vault-kv-system.yaml': {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'vault-kv-system', labels: labels('demo') },
    spec: {
      provider: {
        vault: {
          server: 'https://vault.vault.svc:8200',
          path: 'kv-system',
          version: 'v2',
          auth: { kubernetes: { mountPath: 'kubernetes', role: 'external-secrets', serviceAccountRef: { name: 'demo', namespace: 'demo' } } },
        },
      },
    },
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
  'demo/gatewayclass-contour.yaml': {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'contour', labels: labels('demo') },
    spec: { controllerName: 'projectcontour.io/gateway-controller' },
  },
  'demo/gateway-platform.yaml': {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'platform', namespace: 'demo', labels: labels('demo') },
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
  },
  'demo/certificate-demo.yaml': {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'demo', namespace: 'demo', labels: labels('demo') },
    spec: { secretName: 'demo-tls', dnsNames: ['demo.omni.cedille.club'], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' } },
  },
  'demo/httproute-demo.yaml': {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'demo', namespace: 'demo', labels: labels('demo') },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'demo', sectionName: 'https-demo' }],
      hostnames: ['demo.omni.cedille.club'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'demo', port: 8080 }] }],
    },
  },
};

/** The AppProject must allow the upstream repositories the demo installs from. */
function allowDemoRepos(object: any): any {
  if (object.kind !== 'AppProject') return object;
  return { ...object, spec: { ...object.spec, sourceRepos: [...object.spec.sourceRepos, MANIFESTS.gatewayApiStandard.repoURL, CHARTS.externalSecrets.repoURL] } };
}

const ENVIRONMENT_NAMES = ENVIRONMENTS.map((e) => e.name);

/** The committed dist/ plus the demo, in memory. */
export function baseTree(): Manifest[] {
  const manifests = loadTree(join(REPO_ROOT, 'dist'), ENVIRONMENT_NAMES).manifests.map((m) => ({ ...m, object: allowDemoRepos(structuredClone(m.object)) }));
  for (const [path, object] of Object.entries(DEMO_FILES)) {
    const [folder, file] = path.split('/') as [string, string];
    manifests.push({ environment: 'prod', folder, file, source: `prod/${path}`, object: structuredClone(object) as KubeObject });
  }
  return manifests;
}

/** Runs the gate with the real facts. */
export function gate(manifests: readonly Manifest[]): GateReport {
  return runGate(manifests, { facts: gateFacts(ENVIRONMENTS) });
}

/** Writes a tree (dist copy + demo) to a temporary folder in dist layout; returns its path. */
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
