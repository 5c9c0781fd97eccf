/**
 * Each failure class the cluster test exists for, refused by a real kube-apiserver (built from
 * tools/go/kube-apiserver) with its own message: a Gateway API CEL rule, an immutable Service
 * clusterIP, a namespace that does not exist, a ClusterRole escalation past the AppProject, a custom
 * resource applied before its CRD. And the control: a correct tree applies, and applies again unchanged.
 * Run by `npm run test:cluster` (not `npm test`: it starts etcd and an API server).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { schemasDir } from '../../gate/schemas-location.ts';
import { PlanWalker, type Rejection } from '../../tools/cluster/apply.ts';
import { startControlPlane, type ControlPlane } from '../../tools/cluster/control-plane.ts';
import { buildPlan, crdFolders } from '../../tools/cluster/plan.ts';
import { compareUpgrade } from '../../tools/cluster/upgrade.ts';
import { GO_TOOLS, ensureGoBinary } from '../../tools/go-binaries.ts';
import { FIXTURE_FACTS, appProject, fixtureTree, type FixtureFolder } from '../tools/cluster-fixtures.ts';
import { stringify } from 'yaml';

const crds = crdFolders([join(schemasDir(), 'crds')]);
let plane: ControlPlane;

beforeAll(async () => {
  const etcd = ensureGoBinary(GO_TOOLS.etcd!);
  const kubeApiserver = ensureGoBinary(GO_TOOLS['kube-apiserver']!);
  plane = await startControlPlane([{ name: 'prod' }], { etcd, kubeApiserver, serviceCidr: '10.96.0.0/12' });
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

/** Applies a fixture tree as cluster:test does (bootstrap, dry-run, apply); returns the walk. */
async function sync(folders: readonly FixtureFolder[], mode: 'apply' | 're-apply' = 'apply', previous?: Map<string, string>, projects: readonly KubeObject[] = []) {
  const plan = buildPlan(fixtureTree(folders, projects), { facts: FIXTURE_FACTS, host: 'prod', crds });
  const walker = new PlanWalker(plan, plane.clusters);
  expect(await walker.bootstrap()).toEqual([]);
  return walker.walk({ mode, ...(previous ? { previous } : {}) });
}

const brief = (r: Rejection) => ({ step: r.step, source: r.source, object: r.object, status: r.status, message: r.message });
const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const gatewayApiCrds: FixtureFolder = { folder: 'gateway-api', wave: 1, objects: crds.crdsOfGroup('gateway.networking.k8s.io').map((c) => c.object) };

describe('the real API server', () => {
  it('accepts a correct tree, in order (a CRD and its resources in one sync), and a second apply changes nothing', async () => {
    const folders: FixtureFolder[] = [
      gatewayApiCrds,
      {
        folder: 'edge',
        objects: [
          namespace('edge'),
          { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'contour' }, spec: { controllerName: 'projectcontour.io/gateway-controller' } },
          { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'ok', namespace: 'edge' }, spec: { gatewayClassName: 'contour', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
        ],
      },
    ];
    const first = await sync(folders);
    expect(first.rejections.map(brief)).toEqual([]);
    // The root (AppProject, three Applications), the CRDs, the namespace, the GatewayClass and the Gateway.
    expect(first.counts.objects).toBe(4 + gatewayApiCrds.objects.length + 3);
    const second = await sync(folders, 're-apply', first.versions);
    expect(second.rejections.map(brief)).toEqual([]);
  });

  it('refuses a Gateway that breaks a CEL rule of the Gateway API CRD', async () => {
    const gateway: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bad-tls', namespace: 'edge-cel' },
      spec: { gatewayClassName: 'contour', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', tls: { mode: 'Terminate', certificateRefs: [{ name: 'x' }] } }] },
    };
    const walk = await sync([gatewayApiCrds, { folder: 'edge-cel', objects: [namespace('edge-cel'), gateway] }]);
    expect(walk.rejections.map(brief)).toEqual([
      {
        step: 'apply',
        source: 'prod/edge-cel/gateway-bad-tls.yaml',
        object: 'Gateway.gateway.networking.k8s.io edge-cel/bad-tls',
        status: 422,
        message: `Gateway.gateway.networking.k8s.io "bad-tls" is invalid: spec.listeners: Invalid value: "array": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']`,
      },
    ]);
  });

  it('refuses to change a Service clusterIP, and npm run diff flags the same change', async () => {
    const service = (ip: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'immutable' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
    const tree = (ip: string): FixtureFolder[] => [{ folder: 'immutable', objects: [namespace('immutable'), service(ip)] }];
    expect((await sync(tree('10.96.0.50'))).rejections).toEqual([]);
    const update = await sync(tree('10.96.0.51'));
    expect(update.rejections.map(brief)).toEqual([
      {
        step: 'apply',
        source: 'prod/immutable/service-web.yaml',
        object: 'Service immutable/web',
        status: 422,
        message: 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.51"}: may not change once set',
      },
    ]);
    const files = (ip: string) => new Map([['prod/immutable/service-web.yaml', stringify(service(ip))]]);
    const agreement = compareUpgrade(files('10.96.0.50'), files('10.96.0.51'), update.rejections);
    expect({ onlyApiServer: agreement.onlyApiServer, onlyDiff: agreement.onlyDiff, both: agreement.bothReject.length }).toEqual({ onlyApiServer: [], onlyDiff: [], both: 1 });
  });

  it('refuses a namespaced object whose namespace does not exist', async () => {
    const walk = await sync([{ folder: 'orphan', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'nowhere' }, data: { a: 'b' } }] }]);
    expect(walk.rejections.map(brief)).toEqual([{ step: 'apply', source: 'prod/orphan/configmap-settings.yaml', object: 'ConfigMap nowhere/settings', status: 404, message: 'namespaces "nowhere" not found' }]);
  });

  it('refuses a ClusterRole that grants more than the AppProject lets the Application hold (escalation)', async () => {
    // A project that may write ClusterRoles but not bind them (no ClusterRoleBinding, no RoleBinding):
    // Argo CD would apply the role with its own cluster-admin rights; the API server, asked as the project, refuses it.
    const rolesOnly = appProject('roles-only', 'https://kubernetes.default.svc', {
      clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }],
      namespaceResourceWhitelist: [{ group: '', kind: 'ConfigMap' }],
    });
    const walk = await sync(
      [
        {
          folder: 'greedy',
          project: 'roles-only',
          objects: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'greedy' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }],
        },
      ],
      'apply',
      undefined,
      [rolesOnly],
    );
    expect(walk.rejections.map((r) => ({ ...brief(r), message: r.message.split(':')[0] }))).toEqual([
      {
        step: 'apply',
        source: 'prod/greedy/clusterrole-greedy.yaml',
        object: 'ClusterRole.rbac.authorization.k8s.io greedy',
        status: 403,
        message: 'clusterroles.rbac.authorization.k8s.io "greedy" is forbidden',
      },
    ]);
    expect(walk.rejections[0]!.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "greedy" is forbidden: user "system:serviceaccount:cluster-test-projects:argocd-project-roles-only" (groups=["system:serviceaccounts" "system:serviceaccounts:cluster-test-projects" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}',
    );
  });

  it('accepts the same ClusterRole from a project that may bind roles cluster-wide (it holds everything, as Argo CD does)', async () => {
    const walk = await sync([
      { folder: 'admin-role', objects: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }] },
    ]);
    expect(walk.rejections.map(brief)).toEqual([]);
  });

  it('applies admission webhook configurations after every other object: a custom resource of the same sync meets no webhook', async () => {
    const webhook: KubeObject = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'gateways' },
      webhooks: [
        {
          name: 'validate.gateways.example.com',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          clientConfig: { service: { name: 'nobody', namespace: 'default', path: '/validate' } },
          rules: [{ apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] }],
        },
      ],
    };
    const gatewayClass: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'hooked' }, spec: { controllerName: 'example.com/gateway' } };
    const walk = await sync([gatewayApiCrds, { folder: 'hooked', objects: [webhook, gatewayClass] }]);
    expect(walk.rejections.map(brief)).toEqual([]);
    expect([...walk.applied.values()].map((a) => a.object.kind).slice(-2)).toEqual(['GatewayClass', 'ValidatingWebhookConfiguration']);
  });

  it('refuses a custom resource applied before its CRD exists', async () => {
    const certificate: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'early', namespace: 'default' },
      spec: { secretName: 'early-tls', dnsNames: ['a.example'], issuerRef: { name: 'x', kind: 'ClusterIssuer' } },
    };
    const walk = await sync([{ folder: 'too-early', objects: [certificate] }]);
    expect(walk.rejections.map(brief)).toEqual([
      {
        step: 'dry-run',
        source: 'prod/too-early/certificate-early.yaml',
        object: 'Certificate.cert-manager.io default/early',
        status: 404,
        message: 'no matches for kind "Certificate" in version "cert-manager.io/v1" (GET /apis/cert-manager.io/v1: 404 page not found): ensure CRDs are installed first',
      },
    ]);
  });
});
