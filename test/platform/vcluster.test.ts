import { describe, expect, it } from 'vitest';
import type { Environment } from '../../charts/environments/types.ts';
import { VCluster, VCLUSTER_SIZES } from '../../charts/platform/vcluster/vcluster.ts';
import { build, configErrors, environment, find, manifestsOf, objectsOf, testChart, withChanges, realBuild } from '../helpers.ts';

const staging = environment('staging');
const sandbox = environment('sandbox');

/** prod hosting these environments (the ENVIRONMENTS list and prod's settings must agree). */
function prodHosting(...hosted: Environment[]): Environment {
  const prod = environment('prod');
  return withChanges('prod', { services: { ...prod.services, vcluster: { hosted: hosted.map((e) => ({ environment: e })) } } });
}

/** A chart of prod's vcluster service hosting exactly `hosted`. */
function vclusterChart(...hosted: { environment: Environment; size?: any }[]) {
  const chart = testChart('prod', 'vcluster');
  new VCluster(chart, 'VCluster', { hosted });
  return objectsOf(chart);
}

describe('VCluster', () => {
  const b = realBuild();
  const prodRoot = manifestsOf(b, 'prod', 'root').map((m) => m.object);
  const folder = manifestsOf(b, 'prod', 'vcluster').map((m) => m.object);

  it('installs one pinned vcluster per hosted environment and per sandbox user, derived from the data', () => {
    const apps = prodRoot.filter((o) => (o as any).spec?.source?.chart === 'vcluster');
    expect(apps.map((a) => [(a as any).spec.source.helm.releaseName, (a as any).spec.destination.namespace])).toEqual([
      ['sandbox', 'vcluster-sandbox'],
      ['sandbox-epsot', 'sandbox-epsot'],
      ['sandbox-svc-cedille-user', 'sandbox-svc-cedille-user'],
      ['staging', 'vcluster-staging'],
    ]);
    for (const app of apps as any[]) {
      expect(app.spec.source).toMatchObject({ repoURL: 'https://charts.loft.sh', targetRevision: '0.21.6' });
      expect(app.spec.destination.server).toBe('https://kubernetes.default.svc');
      expect(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    }
  });

  it('runs the Kubernetes minor of the environment, syncs host storage classes and exports a kubeconfig for the Service', () => {
    const app = find(prodRoot, 'Application', 'prod-vcluster-staging-chart');
    const values = app.spec.source.helm.valuesObject;
    expect(values.controlPlane.distro.k8s).toEqual({ enabled: true, version: 'v1.28.11' });
    expect(values.controlPlane.proxy.extraSANs).toEqual(['staging.vcluster-staging.svc']);
    expect(values.sync.fromHost.storageClasses.enabled).toBe(true);
    expect(values.exportKubeConfig).toEqual({ server: 'https://staging.vcluster-staging.svc:443', secret: { name: 'vc-staging' } });
    expect(values.policies).toEqual({ resourceQuota: { enabled: false }, limitRange: { enabled: false }, networkPolicy: { enabled: false } });
  });

  it('bounds each host namespace by its size', () => {
    expect(find(folder, 'ResourceQuota', 'vcluster-quota', 'vcluster-staging').spec.hard).toMatchObject({ 'limits.cpu': '16', 'requests.memory': '16Gi', 'services.nodeports': '0' });
    expect(find(folder, 'ResourceQuota', 'vcluster-quota', 'vcluster-sandbox').spec.hard['limits.memory']).toBe(VCLUSTER_SIZES.medium.quota['limits.memory']);
    expect(find(folder, 'ResourceQuota', 'vcluster-quota', 'sandbox-epsot').spec.hard).toMatchObject({ 'requests.cpu': '2', pods: '30', 'services.loadbalancers': '0' });
    const limits = find(folder, 'LimitRange', 'vcluster-limits', 'sandbox-epsot');
    expect(limits.spec.limits[0]).toMatchObject({ type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } });
  });

  it('denies all traffic by default and lets the vcluster work: same namespace, DNS, Argo CD to the API, syncer to the host API', () => {
    const ns = 'vcluster-staging';
    expect(find(folder, 'NetworkPolicy', 'default-deny', ns).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = find(folder, 'NetworkPolicy', 'allow-dns', ns).spec.egress[0];
    expect(dns.to[0]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } });
    expect(dns.ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    const argocd = find(folder, 'NetworkPolicy', 'allow-argocd-to-api', ns).spec;
    expect(argocd.podSelector).toEqual({ matchLabels: { app: 'vcluster', release: 'staging' } });
    expect(argocd.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'argocd' } } }], ports: [{ protocol: 'TCP', port: 8443 }] }]);
    expect(find(folder, 'NetworkPolicy', 'allow-host-api', ns).spec.egress).toEqual([
      {
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
    const internet = find(folder, 'NetworkPolicy', 'allow-internet-egress', ns).spec.egress[0].to[0].ipBlock;
    expect(internet.cidr).toBe('0.0.0.0/0');
    expect(internet.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']));
  });

  it('leaves public egress closed when asked', () => {
    const chart = testChart('prod', 'vcluster');
    new VCluster(chart, 'VCluster', { hosted: [{ environment: staging }], internetEgress: false });
    expect(objectsOf(chart).filter((o) => o.metadata.name === 'allow-internet-egress')).toEqual([]);
  });

  it('binds each sandbox owner, and only them, to a role that reaches the vcluster but cannot alter the isolation', () => {
    const owners = folder.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'sandbox-owner-role') as any[];
    expect(owners.map((o) => [o.metadata.namespace, o.subjects, o.roleRef])).toEqual([
      ['sandbox-epsot', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'member:epsot' }], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sandbox-owner' }],
      ['sandbox-svc-cedille-user', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'member:svc-cedille-user' }], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sandbox-owner' }],
    ]);
    const rules = find(folder, 'Role', 'sandbox-owner', 'sandbox-epsot').rules as any[];
    // As the RBAC authorizer matches a rule (kubernetes v1.28 pkg/apis/rbac/v1/evaluation_helpers.go: group, resource, verb, name).
    const allows = (group: string, resource: string, verb: string, name?: string) =>
      rules.some(
        (r) =>
          (r.apiGroups.includes('*') || r.apiGroups.includes(group)) &&
          (r.resources.includes('*') || r.resources.includes(resource)) &&
          (r.verbs.includes('*') || r.verbs.includes(verb)) &&
          (!r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name))),
      );
    for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) {
      expect(allows('networking.k8s.io', 'networkpolicies', verb), `networkpolicies ${verb}`).toBe(false);
      expect(allows('', 'resourcequotas', verb), `resourcequotas ${verb}`).toBe(false);
      expect(allows('', 'limitranges', verb), `limitranges ${verb}`).toBe(false);
      expect(allows('rbac.authorization.k8s.io', 'rolebindings', verb), `rolebindings ${verb}`).toBe(false);
      expect(allows('rbac.authorization.k8s.io', 'roles', verb), `roles ${verb}`).toBe(false);
    }
    expect(allows('rbac.authorization.k8s.io', 'roles', 'escalate')).toBe(false);
    expect(allows('', 'secrets', 'get', 'some-other-secret')).toBe(false);
    // What vcluster connect needs: the kubeconfig Secret and a port-forward to the vcluster's pod.
    expect(allows('', 'secrets', 'get', 'vc-sandbox-epsot')).toBe(true);
    expect(allows('', 'pods/portforward', 'create')).toBe(true);
    expect(allows('', 'pods', 'list')).toBe(true);
  });

  it('registers each vcluster in Argo CD from its own kubeconfig Secret, without a credential in git', () => {
    const role = find(folder, 'Role', 'argocd-kubeconfig-reader', 'vcluster-staging');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['vc-staging'], verbs: ['get'] }]);
    const binding = find(folder, 'RoleBinding', 'argocd-kubeconfig-reader', 'vcluster-staging');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vcluster-staging-reader', namespace: 'argocd' }]);
    find(folder, 'ServiceAccount', 'vcluster-staging-reader', 'argocd');
    const store = find(folder, 'SecretStore', 'vcluster-staging', 'argocd');
    expect(store.spec.provider.kubernetes).toEqual({
      remoteNamespace: 'vcluster-staging',
      server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt' } },
      auth: { serviceAccount: { name: 'vcluster-staging-reader' } },
    });
    const external = find(folder, 'ExternalSecret', 'cluster-staging', 'argocd');
    expect(external.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'vcluster-staging' });
    expect(external.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ['ca', 'vc-staging', 'certificate-authority'],
      ['cert', 'vc-staging', 'client-certificate'],
      ['key', 'vc-staging', 'client-key'],
    ]);
    const template = external.spec.target.template;
    expect(template.engineVersion).toBe('v2');
    expect(template.metadata.labels).toEqual({ 'argocd.argoproj.io/secret-type': 'cluster' });
    expect(template.data.name).toBe('staging');
    expect(template.data.server).toBe('https://staging.vcluster-staging.svc:443');
    expect(JSON.parse(template.data.config.replace(/\{\{[^}]*\}\}/g, 'x'))).toEqual({ tlsClientConfig: { caData: 'x', certData: 'x', keyData: 'x' } });
    // The store and its RBAC exist before the ExternalSecret asks for the Secret.
    const wave = (o: any) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(external)).toBeGreaterThan(wave(store));
    expect(wave(store)).toBeGreaterThan(wave(binding));
    expect(folder.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('the staging and sandbox roots deploy to the registered clusters', () => {
    const servers = new Map(folder.filter((o) => o.kind === 'ExternalSecret' && o.metadata.name.startsWith('cluster-')).map((o: any) => [o.spec.target.template.data.name, o.spec.target.template.data.server]));
    for (const env of ['staging', 'sandbox']) {
      for (const app of manifestsOf(b, env, 'root')
        .map((m) => m.object)
        .filter((o) => o.kind === 'Application') as any[]) {
        expect(app.spec.destination.server).toBe(servers.get(env));
      }
    }
    for (const user of ['sandbox-epsot', 'sandbox-svc-cedille-user']) {
      const project = find(
        manifestsOf(b, 'sandbox', 'root').map((m) => m.object),
        'AppProject',
        user,
      );
      expect(project.spec.destinations).toEqual([{ server: servers.get(user), namespace: '*' }]);
    }
    // The hosted roots sync after the vclusters and their registration are healthy.
    const wave = (name: string) => Number(find(prodRoot, 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('staging-root')).toBeGreaterThan(wave('prod-vcluster'));
    expect(wave('prod-vcluster')).toBeGreaterThan(wave('prod-vcluster-staging-chart'));
  });

  it('drops an expired sandbox everywhere (vcluster, registration, project) with a warning', () => {
    const expiring = withChanges('sandbox', {
      sandboxUsers: [
        { github: 'epsot', expires: '2026-11-23' },
        { github: 'svc-cedille-user', expires: '2027-01-31' },
      ],
    });
    const result = build([prodHosting(staging, expiring), staging, expiring]);
    expect(result.warnings.filter((w) => w.includes('sandbox of'))).toEqual([
      'sandbox › environment: sandbox of epsot expired on 2026-11-23; it is no longer synthesized (remove its line from charts/environments/sandbox-users.ts or extend expires)',
    ]);
    const everything = JSON.stringify(result.manifests.map((m) => m.object));
    expect(everything).not.toContain('sandbox-epsot');
    expect(everything).toContain('sandbox-svc-cedille-user');
  });

  it('keeps a sandbox on its last day', () => {
    const lastDay = withChanges('sandbox', { sandboxUsers: [{ github: 'epsot', expires: '2026-11-24', size: 'large' }] });
    const result = build([prodHosting(staging, lastDay), staging, lastDay]);
    expect(result.warnings.filter((w) => w.includes('sandbox of'))).toEqual(['sandbox › environment: sandbox of epsot expires on 2026-11-24 (in 0 days)']);
    const quota = find(
      manifestsOf(result, 'prod', 'vcluster').map((m) => m.object),
      'ResourceQuota',
      'vcluster-quota',
      'sandbox-epsot',
    );
    expect(quota.spec.hard['limits.cpu']).toBe('16');
  });

  it('fails when the platform runs another Kubernetes minor than the pinned vcluster image', () => {
    const old = { ...staging, platform: { ...staging.platform, kubernetesVersion: '1.27' } };
    expect(configErrors(() => vclusterChart({ environment: old }))).toEqual([
      'prod › vcluster/VCluster: hosted[0].environment.platform.kubernetesVersion is "1.27" but the catalogue pins vcluster\'s Kubernetes at v1.28.11 (IMAGES.vclusterKubernetes); pin a 1.27 patch release in the catalogue',
    ]);
  });

  it("fails when the environment's destination is not the registered cluster", () => {
    const elsewhere = { ...staging, destination: { name: 'staging', server: 'https://staging.example.org:6443' } };
    expect(configErrors(() => vclusterChart({ environment: elsewhere }))).toEqual([
      'prod › vcluster/VCluster: hosted[0].environment.destination is {"name":"staging","server":"https://staging.example.org:6443"} but Argo CD registers this vcluster as staging at https://staging.vcluster-staging.svc:443, so its roots would deploy nowhere; set destination: { name: \'staging\', server: \'https://staging.vcluster-staging.svc:443\' }',
    ]);
  });

  it('fails when a listed environment is not a vcluster of this host', () => {
    expect(configErrors(() => vclusterChart({ environment: environment('prod') }, { environment: { ...sandbox, cluster: { ...sandbox.cluster, host: 'staging' } } }))).toEqual([
      'prod › vcluster/VCluster: hosted[0].environment is "prod" but its cluster.kind is talos, not vcluster; list only environments that run as vclusters',
      'prod › vcluster/VCluster: hosted[0].environment is "prod" but its cluster.host is missing, not prod; set cluster.host: \'prod\' in its data, or list it under the services of its host',
      'prod › vcluster/VCluster: hosted[0].environment.destination is {"name":"in-cluster","server":"https://kubernetes.default.svc"} but Argo CD registers this vcluster as prod at https://prod.vcluster-prod.svc:443, so its roots would deploy nowhere; set destination: { name: \'prod\', server: \'https://prod.vcluster-prod.svc:443\' }',
      'prod › vcluster/VCluster: hosted[1].environment is "sandbox" but its cluster.host is "staging", not prod; set cluster.host: \'prod\' in its data, or list it under the services of its host',
    ]);
  });

  it('fails when an environment is listed twice or has an unknown size', () => {
    expect(configErrors(() => vclusterChart({ environment: staging }, { environment: staging, size: 'huge' }))).toEqual([
      'prod › vcluster/VCluster: hosted[1].environment is "staging" but this environment is already listed; list each hosted environment once',
      'prod › vcluster/VCluster: hosted[1].size is "huge" but sizes are small, medium, large; pick one of those sizes',
    ]);
  });

  it('fails when a sandbox user cannot reach the host', () => {
    const stranger = {
      ...sandbox,
      sandboxUsers: [
        { github: 'epsot', expires: '2027-01-31' },
        { github: 'octocat', expires: '2027-01-31' },
      ],
    };
    expect(configErrors(() => vclusterChart({ environment: stranger }))).toEqual([
      'prod › vcluster/VCluster: hosted[0].environment.sandboxUsers[1].github is "octocat" but octocat is not a member of prod (charts/environments/cluster-access.ts), so nobody could reach this sandbox; add them to CLUSTER_MEMBERS, or remove the sandbox',
    ]);
  });

  it('fails when two sandbox users would share a host namespace', () => {
    const twice = {
      ...sandbox,
      sandboxUsers: [
        { github: 'epsot', expires: '2027-01-31' },
        { github: 'EPSOT', expires: '2027-01-31' },
      ],
    };
    expect(configErrors(() => vclusterChart({ environment: twice }))).toEqual([
      'prod › vcluster/VCluster: hosted is "sandbox-epsot" but 2 vclusters would share this host namespace; give each environment and sandbox user its own name',
    ]);
  });

  it('replicates host Services into a vcluster and opens the path to them', () => {
    const chart = testChart('prod', 'vcluster', prodHosting(staging));
    new VCluster(chart, 'VCluster', { hosted: [{ environment: staging, hostServices: [{ from: 'opentelemetry/telemetry-collector', to: 'opentelemetry/prod-collector', ports: [4318] }] }] });
    const objects = objectsOf(chart);
    const values = find(objects, 'Application', 'prod-vcluster-staging-chart').spec.source.helm.valuesObject;
    expect(values.networking).toEqual({ replicateServices: { fromHost: [{ from: 'opentelemetry/telemetry-collector', to: 'opentelemetry/prod-collector' }] } });
    const policy = find(objects, 'NetworkPolicy', 'allow-host-services', 'vcluster-staging');
    expect(policy.spec.egress[0].to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('opentelemetry');
  });

  it("pushes staging's Vault-sourced Secrets from the host: ExternalSecret from Vault, SecretStore on the vcluster API, PushSecret, and the API opened to External Secrets only", () => {
    const inStaging = folder.filter((o) => o.metadata.namespace === 'vcluster-staging');
    // Vault → host Secret, as the namespace's own reader (Vault's templated policy: kv/vcluster-staging/external-secrets/…)
    const reader = find(inStaging, 'ServiceAccount', 'external-secrets', 'vcluster-staging');
    expect(reader.automountServiceAccountToken).toBe(false);
    const fromVault = find(inStaging, 'ExternalSecret', 'staging-sample-oauth2-proxy', 'vcluster-staging');
    expect(fromVault.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-kv' });
    expect(fromVault.spec.target.name).toBe('staging-sample-oauth2-proxy');
    expect(fromVault.spec.data).toEqual(['client-id', 'client-secret', 'cookie-secret'].map((key) => ({ secretKey: key, remoteRef: { key: 'vcluster-staging/external-secrets/sample/oauth2-proxy', property: key } })));
    // the store: the staging vcluster's API, namespace sample, with the kubeconfig Secret vcluster writes
    const store = find(inStaging, 'SecretStore', 'vcluster-staging-sample', 'vcluster-staging');
    expect(store.spec.provider.kubernetes).toEqual({
      remoteNamespace: 'sample',
      server: { url: 'https://staging.vcluster-staging.svc:443', caProvider: { type: 'Secret', name: 'vc-staging', key: 'certificate-authority' } },
      auth: { cert: { clientCert: { name: 'vc-staging', key: 'client-certificate' }, clientKey: { name: 'vc-staging', key: 'client-key' } } },
    });
    // host Secret → Secret sample/oauth2-proxy inside staging, one property per key
    const push = find(inStaging, 'PushSecret', 'staging-sample-oauth2-proxy', 'vcluster-staging');
    expect(push.apiVersion).toBe('external-secrets.io/v1alpha1');
    expect(push.spec.selector).toEqual({ secret: { name: 'staging-sample-oauth2-proxy' } });
    expect(push.spec.secretStoreRefs).toEqual([{ kind: 'SecretStore', name: 'vcluster-staging-sample' }]);
    expect(push.spec.data).toEqual(['client-id', 'client-secret', 'cookie-secret'].map((key) => ({ match: { secretKey: key, remoteRef: { remoteKey: 'oauth2-proxy', property: key } } })));
    expect(push.spec.deletionPolicy).toBe('Delete');
    // the vcluster API admits the External Secrets controller, on 8443 only; no other vcluster gets this
    const policy = find(inStaging, 'NetworkPolicy', 'allow-external-secrets-to-api', 'vcluster-staging');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { app: 'vcluster', release: 'staging' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'external-secrets' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'external-secrets', 'app.kubernetes.io/instance': 'external-secrets' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8443 }],
        },
      ],
    });
    expect(folder.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-external-secrets-to-api').map((o) => o.metadata.namespace)).toEqual(['vcluster-staging']);
    expect(folder.filter((o) => o.kind === 'PushSecret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['vcluster-staging/staging-sample-oauth2-proxy']);
  });

  it('fails on a pushed Secret without keys or with a bad name', () => {
    const chart = testChart('prod', 'vcluster', prodHosting(staging));
    expect(configErrors(() => new VCluster(chart, 'VCluster', { hosted: [{ environment: staging, secrets: [{ namespace: 'Sample', name: 'oauth2-proxy', keys: [] }] }] }))).toEqual([
      'prod › vcluster/VCluster: hosted[0].secrets[0] is "Sample/oauth2-proxy" but a namespace is a DNS label and a Secret name a DNS subdomain; name the namespace and the Secret the consumer in the vcluster reads',
      'prod › vcluster/VCluster: hosted[0].secrets[0].keys is [] but a Secret needs at least one key, each of letters, digits, "-", "_" or "."; list the keys the consumer reads',
    ]);
  });

  it('fails on a host Service that is not namespace/name', () => {
    const chart = testChart('prod', 'vcluster', prodHosting(staging));
    expect(configErrors(() => new VCluster(chart, 'VCluster', { hosted: [{ environment: staging, hostServices: [{ from: 'telemetry-collector', to: 'opentelemetry/prod-collector', ports: [4318] }] }] }))).toEqual([
      'prod › vcluster/VCluster: hosted[0].hostServices[0].from is "telemetry-collector" but a Service is named "<namespace>/<name>"; write it like "opentelemetry/telemetry-collector"',
    ]);
  });
});
