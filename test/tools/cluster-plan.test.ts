/**
 * The pure logic of `npm run cluster:test` (no API server): Argo CD's task order, the plan of what
 * syncs where, an AppProject as RBAC, and the agreement of the upgrade with `npm run diff`. The
 * API-server behaviour itself is tested by `npm run test:cluster` (test/cluster/).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { apiMessage, type Rejection } from '../../tools/cluster/apply.ts';
import { compareTasks, kindOrder, phaseOf } from '../../tools/argo-order.ts';
import { buildPlan, type CrdSource } from '../../tools/cluster/plan.ts';
import { FULL_AUTHORITY, ROLE_VERBS_WITHOUT_ESCALATION, projectRbac } from '../../tools/cluster/project-rbac.ts';
import { compareUpgrade } from '../../tools/cluster/upgrade.ts';
import { appProject, FIXTURE_FACTS, fixtureTree } from './cluster-fixtures.ts';

const obj = (kind: string, name: string, annotations: Record<string, string> = {}, apiVersion = 'v1'): KubeObject => ({ apiVersion, kind, metadata: { name, annotations } });
const NO_CRDS: CrdSource = { crdsOfGroup: () => [] };

describe('Argo CD task order (gitops-engine sync_tasks.go)', () => {
  it('orders by phase, then wave, then kind, then name; kinds outside the list come last', () => {
    const tasks = [
      obj('Certificate', 'a', {}, 'cert-manager.io/v1'),
      obj('Deployment', 'b', {}, 'apps/v1'),
      obj('CustomResourceDefinition', 'c', {}, 'apiextensions.k8s.io/v1'),
      obj('Namespace', 'z'),
      obj('Namespace', 'y'),
      obj('ConfigMap', 'late', { 'argocd.argoproj.io/sync-wave': '1' }),
      obj('Job', 'pre', { 'helm.sh/hook': 'pre-install' }, 'batch/v1'),
      obj('Job', 'early', { 'argocd.argoproj.io/sync-wave': '-5' }, 'batch/v1'),
    ];
    expect(tasks.sort(compareTasks).map((t) => `${t.kind}/${t.metadata.name}`)).toEqual([
      'Job/pre',
      'Job/early',
      'Namespace/y',
      'Namespace/z',
      'CustomResourceDefinition/c',
      'Deployment/b',
      'Certificate/a',
      'ConfigMap/late',
    ]);
    expect(kindOrder('Certificate')).toBe(0);
    expect(kindOrder('Namespace')).toBeLessThan(kindOrder('APIService'));
  });

  it('skips Helm test hooks as Argo CD does', () => {
    expect(phaseOf(obj('Pod', 't', { 'helm.sh/hook': 'test' }))).toBe('Skip');
    expect(phaseOf(obj('Job', 'p', { 'argocd.argoproj.io/hook': 'PostSync' }, 'batch/v1'))).toBe('PostSync');
  });
});

describe('the plan', () => {
  const manifests = fixtureTree([
    { folder: 'apps', objects: [obj('ConfigMap', 'x')] },
    { environment: 'staging', folder: 'web', objects: [obj('ConfigMap', 'y')] },
  ]);

  it('starts at the host root and sends each Application to its destination cluster', () => {
    const plan = buildPlan(manifests, { facts: FIXTURE_FACTS, host: 'prod', crds: NO_CRDS });
    expect(plan.rootApplication).toBe('prod-root');
    expect(plan.clusters).toEqual(['prod', 'staging']);
    const at = (name: string) => {
      const app = plan.applications.get(name)!;
      return { cluster: app.cluster, objects: app.objects.map((o) => o.source) };
    };
    expect(at('prod-apps')).toEqual({ cluster: 'prod', objects: ['prod/apps/configmap-x.yaml'] });
    expect(at('staging-web')).toEqual({ cluster: 'staging', objects: ['staging/web/configmap-y.yaml'] });
    // The hosted root syncs into the host's argocd namespace, where Argo CD runs.
    expect(at('staging-root').cluster).toBe('prod');
    expect(plan.namespaces.get('prod')).toContain('argocd');
  });

  it('an upstream Application without rendered objects applies the pinned CRDs of its catalogue entry, with a notice', () => {
    const chart: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'prod-cert-manager-chart', namespace: 'argocd' },
      spec: {
        project: 'prod',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'cert-manager' },
        source: { repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.16.5' },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      },
    };
    const crd = obj('CustomResourceDefinition', 'certificates.cert-manager.io', {}, 'apiextensions.k8s.io/v1');
    const plan = buildPlan([...manifests, { environment: 'prod', folder: 'root', file: 'a.yaml', source: 'prod/root/a.yaml', object: chart }], {
      facts: { ...FIXTURE_FACTS, upstream: [{ name: 'CHARTS.certManager', repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', crdGroups: ['cert-manager.io'] }] },
      host: 'prod',
      crds: { crdsOfGroup: (group) => (group === 'cert-manager.io' ? [{ source: 'crds/certificates.yaml', object: crd }] : []) },
    });
    const app = plan.applications.get('prod-cert-manager-chart')!;
    expect(app.content).toBe('catalogue-crds');
    expect(app.objects.map((o) => o.object.metadata.name)).toEqual(['certificates.cert-manager.io']);
    expect(app.createNamespace).toEqual({ labels: {}, annotations: {} });
    expect(plan.notices).toEqual(['prod-cert-manager-chart: no rendered objects; applies only the pinned CRDs of CHARTS.certManager (cert-manager.io)']);
  });
});

describe('an AppProject as RBAC', () => {
  it("a project that may create ClusterRoleBindings holds everything, as Argo CD's application controller does (it can bind cluster-admin)", () => {
    const rbac = projectRbac(appProject('prod', 'https://kubernetes.default.svc'), 'https://kubernetes.default.svc', () => undefined);
    expect(rbac.namespaces).toEqual(['*']);
    expect(rbac.clusterRules).toEqual([...FULL_AUTHORITY, FULL_AUTHORITY[0]]);
  });

  it('named kinds get every verb, role kinds of a project that cannot bind get none of escalate and bind; named namespaces bind there only; an unknown kind is reported', () => {
    const project = appProject('team', 'https://x', {
      destinations: [{ namespace: 'team-a', server: 'https://x' }],
      clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }],
      namespaceResourceWhitelist: [
        { group: 'apps', kind: 'Deployment' },
        { group: 'example.com', kind: 'Widget' },
      ],
    });
    const resources: Record<string, string> = { 'apps/Deployment': 'deployments', 'rbac.authorization.k8s.io/ClusterRole': 'clusterroles' };
    const rbac = projectRbac(project, 'https://x', (group, kind) => resources[`${group}/${kind}`]);
    expect(rbac).toEqual({
      clusterRules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterroles/*'], verbs: [...ROLE_VERBS_WITHOUT_ESCALATION] }],
      namespaceRules: [{ apiGroups: ['apps'], resources: ['deployments', 'deployments/*'], verbs: ['*'] }],
      namespaces: ['team-a'],
      unresolved: ['example.com/Widget'],
    });
  });
});

describe('the upgrade agrees with npm run diff', () => {
  const service = (ip: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  clusterIP: ${ip}\n`;
  const before = new Map([['prod/apps/service-web.yaml', service('10.96.0.10')]]);
  const after = new Map([['prod/apps/service-web.yaml', service('10.96.0.11')]]);
  const refusal: Rejection = {
    cluster: 'prod',
    application: 'prod-apps',
    source: 'prod/apps/service-web.yaml',
    object: 'Service apps/web',
    key: '|Service|apps|web',
    step: 'dry-run',
    status: 422,
    message: 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
  };

  it('both refuse the clusterIP change', () => {
    const agreement = compareUpgrade(before, after, [refusal]);
    expect(agreement.onlyApiServer).toEqual([]);
    expect(agreement.onlyDiff).toEqual([]);
    expect(agreement.bothReject).toHaveLength(1);
  });

  it('a refusal diff does not flag, and a flag the API server did not refuse, are each listed', () => {
    expect(compareUpgrade(before, after, []).onlyDiff).toEqual([
      'prod Service apps/web: spec.clusterIP: "10.96.0.10" → "10.96.0.11": a Service\'s cluster IP cannot change; delete and re-create it (Argo CD sync option Replace=true), or keep the old value',
    ]);
    expect(compareUpgrade(before, before, [refusal]).onlyApiServer).toEqual([expect.stringContaining('may not change once set')]);
  });
});

describe('the API server message of a failed request', () => {
  it('is the Status message of the response body', () => {
    expect(apiMessage({ code: 404, body: '{"kind":"Status","message":"namespaces \\"nope\\" not found"}' })).toEqual({ status: 404, message: 'namespaces "nope" not found' });
    expect(apiMessage(new Error('Unrecognized API version and kind: x/v1 Y\nmore'))).toEqual({ status: 0, message: 'Unrecognized API version and kind: x/v1 Y' });
  });
});
