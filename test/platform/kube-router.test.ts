import { describe, expect, it } from 'vitest';
import { networkPolicyEnforcementProblems } from '../../charts/app/network-policy-enforcement.ts';
import type { Environment } from '../../charts/environments/types.ts';
import { KubeRouter } from '../../charts/platform/kube-router/kube-router.ts';
import { build, configErrors, environment, find, manifestsOf, objectsOf, testChart, withChanges, realBuild } from '../helpers.ts';

describe('KubeRouter', () => {
  it('runs kube-router firewall-only on every node: pinned image, host network, privileged, the service range', () => {
    const chart = testChart('prod', 'kube-router');
    new KubeRouter(chart, 'KubeRouter');
    const objects = objectsOf(chart);
    const pod = find(objects, 'DaemonSet', 'kube-router', 'kube-router').spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('docker.io/cloudnativelabs/kube-router:v2.1.1');
    expect(container.args).toEqual(['--run-router=false', '--run-firewall=true', '--run-service-proxy=false', '--service-cluster-ip-range=10.96.0.0/12', '--health-port=20244']);
    expect(container.securityContext).toEqual({ privileged: true });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 20244 });
    expect(pod.hostNetwork).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.volumes.map((v: any) => v.hostPath.path)).toEqual(['/lib/modules', '/run/xtables.lock']);
    expect(find(objects, 'Namespace', 'kube-router').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const rules = find(objects, 'ClusterRole', 'kube-router').rules;
    expect(rules.flatMap((r: any) => r.verbs)).not.toContain('create');
    expect(rules.find((r: any) => r.apiGroups[0] === 'networking.k8s.io').resources).toEqual(['networkpolicies']);
  });

  it('fails in a vcluster', () => {
    expect(configErrors(() => new KubeRouter(testChart('staging', 'kube-router'), 'KubeRouter'))).toEqual([
      'staging › kube-router/KubeRouter: services.kube-router is "vcluster" but kube-router is a privileged agent on the nodes and staging is a vcluster; the host\'s agent already enforces the policies of its pods; remove kube-router here and run it on the host',
    ]);
  });

  it('fails on a CPU request that is not in millicores', () => {
    expect(configErrors(() => new KubeRouter(testChart('prod', 'kube-router'), 'KubeRouter', { cpuRequest: '0.1' }))).toEqual([
      'prod › kube-router/KubeRouter: cpuRequest is "0.1" but it is not a CPU quantity in millicores; write e.g. "100m"',
    ]);
  });
});

describe('NetworkPolicy enforcement', () => {
  const prod = environment('prod');
  const { 'kube-router': _enforcer, ...withoutEnforcer } = prod.services;
  const unenforced = withChanges('prod', { services: withoutEnforcer });
  const withHostedSandbox = (host: Environment) => [host, environment('staging'), environment('sandbox')];

  it('runs the enforcer in prod, whose flannel does not enforce, and nowhere else', () => {
    expect(prod.cluster.cni).toMatchObject({ plugin: 'flannel', enforcesNetworkPolicy: false });
    const b = realBuild();
    expect(manifestsOf(b, 'prod', 'kube-router').some((m) => m.object.kind === 'DaemonSet')).toBe(true);
    expect(b.manifests.filter((m) => m.object.kind === 'DaemonSet' && m.object.metadata.name === 'kube-router').map((m) => m.environment)).toEqual(['prod']);
    expect(b.services.get('staging')).not.toContain('kube-router');
  });

  it('fails when the host carries NetworkPolicies and nothing enforces them', () => {
    expect(configErrors(() => build(withHostedSandbox(unenforced)))).toEqual([
      "prod › environment: services lacks 'kube-router' but 31 NetworkPolicies (prod:clickhouse/clickhouse-clients-only, prod:vcluster-staging/allow-external-secrets-to-api, prod:vcluster-staging/allow-host-services, …) run on nodes whose CNI (flannel) does not enforce them; enable 'kube-router' in the services of prod (docs/decisions/0604-networkpolicy-enforcement.md)",
    ]);
  });

  it('accepts a host whose CNI enforces policies itself', () => {
    const cni = { ...prod.cluster.cni!, plugin: 'cilium', enforcesNetworkPolicy: true };
    const enforcing = withChanges('prod', { services: withoutEnforcer, cluster: { ...prod.cluster, cni } });
    const b = build(withHostedSandbox(enforcing));
    expect(networkPolicyEnforcementProblems([enforcing], b.manifests)).toEqual([]);
  });
});

/** A NetworkPolicy reduced to what it lets through, for comparing against the intended exceptions. */
function summary(policy: any): string {
  const peer = (p: any) =>
    [
      p.namespaceSelector && `ns=${p.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? JSON.stringify(p.namespaceSelector)}`,
      p.podSelector && `pods=${JSON.stringify(p.podSelector.matchLabels ?? {})}`,
      p.ipBlock && `ip=${p.ipBlock.cidr}-${(p.ipBlock.except ?? []).length}`,
    ]
      .filter(Boolean)
      .join('&');
  const rule = (r: any, key: 'from' | 'to') => `${(r[key] ?? []).map(peer).join('|') || 'any'}:${(r.ports ?? []).map((p: any) => `${p.protocol}/${p.port}`).join(',') || 'all'}`;
  const spec = policy.spec;
  return [
    `pods=${JSON.stringify(spec.podSelector.matchLabels ?? {})}`,
    `types=${spec.policyTypes.join('+')}`,
    `in=[${(spec.ingress ?? []).map((r: any) => rule(r, 'from')).join(' ')}]`,
    `out=[${(spec.egress ?? []).map((r: any) => rule(r, 'to')).join(' ')}]`,
  ].join(' ');
}

describe('sandbox isolation', () => {
  const b = realBuild();
  const sandboxNamespaces = [
    ...new Set(
      manifestsOf(b, 'prod', 'vcluster')
        .map((m) => m.object.metadata.namespace)
        .filter((ns): ns is string => ns?.startsWith('sandbox-') === true),
    ),
  ];

  it('every personal sandbox namespace is default-deny with exactly the intended exceptions', () => {
    expect(sandboxNamespaces.sort()).toEqual(['sandbox-epsot', 'sandbox-svc-cedille-user']);
    for (const namespace of sandboxNamespaces) {
      const policies = manifestsOf(b, 'prod', 'vcluster')
        .map((m) => m.object as any)
        .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace);
      const release = namespace;
      expect(Object.fromEntries(policies.map((p) => [p.metadata.name, summary(p)]))).toEqual({
        'default-deny': 'pods={} types=Ingress+Egress in=[] out=[]',
        'allow-same-namespace': 'pods={} types=Ingress+Egress in=[pods={}:all] out=[pods={}:all]',
        'allow-dns': 'pods={} types=Egress in=[] out=[ns=kube-system&pods={"k8s-app":"kube-dns"}:UDP/53,TCP/53]',
        'allow-argocd-to-api': `pods={"app":"vcluster","release":"${release}"} types=Ingress in=[ns=argocd:TCP/8443] out=[]`,
        'allow-host-api': `pods={"app":"vcluster","release":"${release}"} types=Egress in=[] out=[any:TCP/443,TCP/6443]`,
        'allow-gateway': 'pods={} types=Ingress in=[ns=gateway:all] out=[]',
        'allow-internet-egress': 'pods={} types=Egress in=[] out=[ip=0.0.0.0/0-6:all]',
      });
    }
  });

  it('no policy anywhere lets another namespace into a sandbox, only External Secrets into the staging vcluster API, and ClickHouse admits only its clients', () => {
    const all = b.manifests.filter((m) => m.environment === 'prod' && m.object.kind === 'NetworkPolicy').map((m) => m.object as any);
    for (const policy of all.filter((p) => p.metadata.namespace.startsWith('sandbox-'))) {
      for (const rule of policy.spec.ingress ?? []) {
        for (const peer of rule.from ?? []) {
          expect(['argocd', 'gateway', undefined], `${policy.metadata.namespace}/${policy.metadata.name}`).toContain(peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
        }
      }
    }
    // One reasoned exception, outside the sandboxes: the host's External Secrets controller pushes
    // Vault-sourced Secrets into the staging vcluster through its API (decision 0907), so it reaches
    // that vcluster's control plane, and only its: from its controller pods, on the API port only.
    const intoVClusters = all
      .filter((p) => p.metadata.namespace.startsWith('vcluster-'))
      .flatMap((p) => (p.spec.ingress ?? []).flatMap((rule: any) => (rule.from ?? []).map((peer: any) => ({ policy: p, peer }))))
      .filter(({ peer }) => !['argocd', 'gateway', undefined].includes(peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']));
    expect(intoVClusters.map(({ policy }) => `${policy.metadata.namespace}/${policy.metadata.name}`)).toEqual(['vcluster-staging/allow-external-secrets-to-api']);
    expect(summary(intoVClusters[0]!.policy)).toBe(
      'pods={"app":"vcluster","release":"staging"} types=Ingress in=[ns=external-secrets&pods={"app.kubernetes.io/instance":"external-secrets","app.kubernetes.io/name":"external-secrets"}:TCP/8443] out=[]',
    );
    expect(all.filter((p) => p.metadata.name === 'allow-external-secrets-to-api').map((p) => p.metadata.namespace)).toEqual(['vcluster-staging']);
    const clickhouse = find(all, 'NetworkPolicy', 'clickhouse-clients-only', 'clickhouse');
    expect(summary(clickhouse)).toBe('pods={} types=Ingress in=[pods={}:all ns=grafana|ns=opentelemetry:TCP/9000,TCP/8123] out=[]');
  });
});
