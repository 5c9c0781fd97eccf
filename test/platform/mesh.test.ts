import { describe, expect, it } from 'vitest';
import { CHARTS } from '../../charts/environments/catalogue.ts';
import { HelmApplication } from '../../charts/lib/helm-application.ts';
import { PlatformNamespace } from '../../charts/lib/namespace.ts';
import { Mesh } from '../../charts/platform/mesh/mesh.ts';
import { meshMigrationWarnings } from '../../charts/platform/mesh/migrations.ts';
import { MESH_NODE_REQUIREMENT, meshNodeRequirements } from '../../charts/platform/mesh/node-requirements.ts';
import { TEST_TODAY, build, configErrors, environment, find, manifestsOf, objectsOf, testChart, withChanges, realBuild } from '../helpers.ts';

const wave = (object: any) => object.metadata.annotations?.['argocd.argoproj.io/sync-wave'];

describe('Mesh', () => {
  it('installs the pinned Kuma chart as a standalone zone control plane, chained onto the host CNI', () => {
    const chart = testChart('prod', 'mesh');
    new Mesh(chart, 'Mesh');
    const app = find(objectsOf(chart), 'Application', 'prod-kuma-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://kumahq.github.io/charts', chart: 'kuma', targetRevision: '2.9.19' });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'kuma-system' });
    const values = app.spec.source.helm.valuesObject;
    expect(values.controlPlane).toMatchObject({ mode: 'zone', replicas: 1, podDisruptionBudget: { enabled: false }, defaults: { skipMeshCreation: true } });
    expect(values.controlPlane.envVars).toBeUndefined();
    // Talos's flannel, as prod's cluster facts describe it.
    expect(values.cni).toEqual({ enabled: true, chained: true, netDir: '/etc/cni/net.d', binDir: '/opt/cni/bin', confName: '10-flannel.conflist' });
    expect(values.experimental).toEqual({ ebpf: { enabled: false } });
    expect(values.patchSystemNamespace).toBe(false);
    expect(values.installCrdsOnUpgrade).toEqual({ enabled: false });
    const labels = app.spec.syncPolicy.managedNamespaceMetadata.labels;
    expect(labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'kuma.io/sidecar-injection': 'disabled',
      'kuma.io/system-namespace': 'true',
    });
    expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    expect(wave(app)).toBe('20');
  });

  it('runs more control-plane replicas behind a disruption budget when asked', () => {
    const chart = testChart('prod', 'mesh');
    new Mesh(chart, 'Mesh', { replicas: 2 });
    const values = find(objectsOf(chart), 'Application', 'prod-kuma-chart').spec.source.helm.valuesObject;
    expect(values.controlPlane.replicas).toBe(2);
    expect(values.controlPlane.podDisruptionBudget).toEqual({ enabled: true });
  });

  it('declares the Mesh default with mutual TLS from a builtin CA', () => {
    const chart = testChart('prod', 'mesh');
    new Mesh(chart, 'Mesh');
    const mesh = find(objectsOf(chart), 'Mesh', 'default');
    expect(mesh.apiVersion).toBe('kuma.io/v1alpha1');
    expect(mesh.metadata.namespace).toBeUndefined();
    expect(mesh.spec.mtls.enabledBackend).toBe('ca-builtin');
    expect(mesh.spec.mtls.backends).toEqual([
      {
        name: 'ca-builtin',
        type: 'builtin',
        mode: 'STRICT',
        dpCert: { rotation: { expiration: '1d' } },
        conf: { caCert: { RSAbits: 2048, expiration: '10y' } },
      },
    ]);
    expect(wave(mesh)).toBe('0');
  });

  it('runs STRICT mutual TLS and denies everything by default, after the Mesh (no blanket allow)', () => {
    const chart = testChart('prod', 'mesh');
    new Mesh(chart, 'Mesh');
    const objects = objectsOf(chart);
    expect(find(objects, 'Mesh', 'default').spec.mtls.backends[0].mode).toBe('STRICT');
    const permissions = objects.filter((o) => o.kind === 'MeshTrafficPermission');
    expect(permissions.map((o) => o.metadata.name)).toEqual(['default-deny-by-default']);
    const deny = permissions[0] as any;
    expect(deny.metadata.labels['kuma.io/mesh']).toBe('default');
    expect(deny.spec).toEqual({ targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Deny' } }] });
    expect(Number(wave(deny))).toBeGreaterThan(Number(wave(find(objects, 'Mesh', 'default'))));
    expect(objects.filter((o) => o.kind === 'MeshTLS')).toEqual([]);
  });

  it('accepts plaintext only in a namespace with a dated PERMISSIVE migration (a MeshTLS for its sidecars)', () => {
    const chart = testChart('prod', 'mesh');
    new Mesh(chart, 'Mesh', {
      meshes: [
        { name: 'default', permissiveNamespaces: [{ namespace: 'legacy', until: '2027-01-31', reason: 'the Gateway is not meshed' }] },
        { name: 'finance', dataplaneCertificateExpiration: '12h' },
      ],
    });
    const objects = objectsOf(chart);
    expect(objects.filter((o) => o.kind === 'Mesh').map((o) => [o.metadata.name, (o as any).spec.mtls.backends[0].mode])).toEqual([
      ['default', 'STRICT'],
      ['finance', 'STRICT'],
    ]);
    expect(find(objects, 'Mesh', 'finance').spec.mtls.backends[0].dpCert).toEqual({ rotation: { expiration: '12h' } });
    const tls = find(objects, 'MeshTLS', 'default-permissive-legacy', 'kuma-system');
    expect(tls.apiVersion).toBe('kuma.io/v1alpha1');
    expect(tls.metadata.labels['kuma.io/mesh']).toBe('default');
    expect(tls.metadata.annotations['platform.cedille.club/permissive-until']).toBe('2027-01-31');
    expect(tls.spec).toEqual({
      targetRef: { kind: 'MeshSubset', tags: { 'k8s.kuma.io/namespace': 'legacy' } },
      from: [{ targetRef: { kind: 'Mesh' }, default: { mode: 'Permissive' } }],
    });
  });

  it('fails on a mesh-wide PERMISSIVE mode or a blanket traffic default', () => {
    const chart = testChart('prod', 'mesh');
    const legacy = { name: 'default', mtlsMode: 'permissive', trafficPermission: 'allow-within-mesh' } as never;
    expect(configErrors(() => new Mesh(chart, 'Mesh', { meshes: [legacy] }))).toEqual([
      'prod › mesh/Mesh: meshes[0].mtlsMode is "permissive" but every mesh runs STRICT mutual TLS; plaintext is accepted only per namespace, as a dated migration; remove mtlsMode and list the namespaces that still need plaintext in meshes[0].permissiveNamespaces with until and reason',
      'prod › mesh/Mesh: meshes[0].trafficPermission is "allow-within-mesh" but a mesh allows nothing by default; each meshed service declares who may call it (allowMeshTraffic); remove trafficPermission and add a MeshTrafficPermission per service',
    ]);
  });

  it('fails on an undated or unexplained PERMISSIVE migration', () => {
    const chart = testChart('prod', 'mesh');
    const meshes = [{ name: 'default', permissiveNamespaces: [{ namespace: 'legacy', until: 'someday', reason: ' ' }] }];
    expect(configErrors(() => new Mesh(chart, 'Mesh', { meshes }))).toEqual([
      'prod › mesh/Mesh: meshes[0].permissiveNamespaces[0].until is "someday" but a PERMISSIVE migration is dated: write its last day YYYY-MM-DD; write e.g. "2027-03-31"',
      'prod › mesh/Mesh: meshes[0].permissiveNamespaces[0].reason is " " but say which unmeshed callers still need plaintext; write the reason, and what ends the migration',
    ]);
  });

  it('warns about a PERMISSIVE migration once past its date, not before', () => {
    const migrating = withChanges('staging', {
      services: { ...environment('staging').services, mesh: { meshes: [{ name: 'default', permissiveNamespaces: [{ namespace: 'sample', until: '2026-11-23', reason: 'the Gateway is not meshed' }] }] } },
    });
    expect(meshMigrationWarnings([migrating], '2026-11-23')).toEqual([]);
    expect(meshMigrationWarnings([migrating], TEST_TODAY)).toEqual([
      'staging › mesh: namespace sample still accepts plaintext in mesh default (PERMISSIVE migration) past its date 2026-11-23 (the Gateway is not meshed); mesh its callers and remove services.mesh.meshes[0].permissiveNamespaces[0], or set a new date',
    ]);
    expect(build([environment('prod'), migrating, environment('sandbox')]).warnings).toContain(meshMigrationWarnings([migrating], TEST_TODAY)[0]);
  });

  it('prod meshes run STRICT mTLS with no PERMISSIVE namespace; staging lists its one dated exception', () => {
    const b = realBuild();
    const kinds = (env: string, kind: string) =>
      manifestsOf(b, env, 'mesh')
        .map((m) => m.object as any)
        .filter((o) => o.kind === kind);
    expect(kinds('prod', 'Mesh').map((m) => m.spec.mtls.backends[0].mode)).toEqual(['STRICT']);
    expect(kinds('prod', 'MeshTLS')).toEqual([]);
    expect(kinds('staging', 'MeshTLS').map((m) => m.metadata.name)).toEqual(['default-permissive-sample']);
    const allows = b.manifests.map((m) => m.object as any).filter((o) => o.kind === 'MeshTrafficPermission' && o.spec.from.some((f: any) => f.default.action === 'Allow'));
    expect(allows.length).toBeGreaterThan(0);
    for (const allow of allows) {
      expect(allow.spec.targetRef.kind, allow.metadata.name).not.toBe('Mesh');
      for (const from of allow.spec.from) expect(from.targetRef.kind, allow.metadata.name).not.toBe('Mesh');
    }
  });

  it('runs Merbridge on the host: pinned image, Kuma mode, host network, privileged, every node', () => {
    const chart = testChart('prod', 'mesh');
    new Mesh(chart, 'Mesh');
    const objects = objectsOf(chart);
    const ds = find(objects, 'DaemonSet', 'merbridge', 'merbridge');
    const pod = ds.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('ghcr.io/merbridge/merbridge:0.8.1');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.args).toEqual(['/app/mbctl', '--mode=kuma', '--use-reconnect=true', '--cni-mode=false']);
    expect(container.securityContext).toEqual({ privileged: true });
    expect(container.lifecycle.preStop.exec.command).toEqual(['make', '-k', 'clean']);
    expect(container.volumeMounts).toEqual([{ name: 'host-cgroup', mountPath: '/sys/fs/cgroup' }]);
    expect(pod.volumes).toEqual([{ name: 'host-cgroup', hostPath: { path: '/sys/fs/cgroup', type: 'Directory' } }]);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.serviceAccountName).toBe('merbridge');

    const namespace = find(objects, 'Namespace', 'merbridge');
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'kuma.io/sidecar-injection': 'disabled' });
    const role = find(objects, 'ClusterRole', 'merbridge');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const binding = find(objects, 'ClusterRoleBinding', 'merbridge');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'merbridge', namespace: 'merbridge' }]);
    expect(binding.metadata.namespace).toBeUndefined();
    // Namespace, account and RBAC first; the DaemonSet in the default wave of the folder, which
    // itself syncs after the Kuma chart (and its CRDs) is healthy.
    for (const object of [namespace, role, binding, find(objects, 'ServiceAccount', 'merbridge', 'merbridge')]) expect(wave(object)).toBe('-1');
    expect(wave(ds)).toBeUndefined();
  });

  it('in a vcluster: own control plane and CA, injector relying on the host CNI, no Merbridge', () => {
    const chart = testChart('staging', 'mesh');
    new Mesh(chart, 'Mesh');
    const objects = objectsOf(chart);
    const values = find(objects, 'Application', 'staging-kuma-chart').spec.source.helm.valuesObject;
    expect(values.cni).toEqual({ enabled: false });
    expect(values.controlPlane.envVars).toEqual({ KUMA_RUNTIME_KUBERNETES_INJECTOR_CNI_ENABLED: 'true' });
    expect(find(objects, 'Mesh', 'default').spec.mtls.enabledBackend).toBe('ca-builtin');
    expect(objects.filter((o) => o.kind === 'DaemonSet' || o.metadata.name === 'merbridge')).toEqual([]);
  });

  it('dist/prod holds the Kuma Application, the mTLS Mesh, the traffic permission and Merbridge; staging is meshed too', () => {
    const b = realBuild();
    const prod = manifestsOf(b, 'prod').map((m) => m.object);
    expect(find(prod, 'Application', 'prod-kuma-chart').spec.source.helm.valuesObject.controlPlane.replicas).toBe(2);
    expect(find(prod, 'Mesh', 'default').spec.mtls.enabledBackend).toBe('ca-builtin');
    find(prod, 'MeshTrafficPermission', 'default-deny-by-default', 'kuma-system');
    find(prod, 'DaemonSet', 'merbridge', 'merbridge');
    const folder = find(prod, 'Application', 'prod-mesh');
    // The folder (Mesh, policies, Merbridge) syncs after the chart that brings Kuma's CRDs.
    expect(Number(wave(folder))).toBeGreaterThan(Number(wave(find(prod, 'Application', 'prod-kuma-chart'))));
    const staging = manifestsOf(b, 'staging').map((m) => m.object);
    find(staging, 'Mesh', 'default');
    expect(staging.some((o) => o.kind === 'DaemonSet')).toBe(false);
  });

  it('states what every prod node relies on, and nothing for vclusters', () => {
    const prod = meshNodeRequirements(environment('prod'));
    expect([...prod.keys()].sort()).toEqual(
      environment('prod')
        .cluster.nodes.map((n) => n.name)
        .sort(),
    );
    expect(prod.get('omni-endpoint-vm')).toEqual([MESH_NODE_REQUIREMENT]);
    expect(MESH_NODE_REQUIREMENT.reason).toMatch(/cgroup v2/);
    expect(meshNodeRequirements(environment('staging')).size).toBe(0);
    expect(meshNodeRequirements(withChanges('prod', { services: {} })).size).toBe(0);
  });

  it('fails when replicas is impossible', () => {
    expect(configErrors(() => new Mesh(testChart('prod', 'mesh'), 'Mesh', { replicas: 0 }))).toEqual(['prod › mesh/Mesh: replicas is 0 but the Kuma control plane runs 1 to 3 replicas; set replicas between 1 and 3']);
  });

  it('fails when no mesh is declared', () => {
    expect(configErrors(() => new Mesh(testChart('prod', 'mesh'), 'Mesh', { meshes: [] }))).toEqual([
      "prod › mesh/Mesh: meshes is [] but an environment running the mesh service needs at least one mesh; declare [{ name: 'default' }] or remove the mesh service",
    ]);
  });

  it('fails when mesh names are bad or repeated, and on a bad certificate duration', () => {
    const meshes = [{ name: 'default' }, { name: 'default' }, { name: 'Team_A', dataplaneCertificateExpiration: '1 day' }];
    expect(configErrors(() => new Mesh(testChart('prod', 'mesh'), 'Mesh', { meshes }))).toEqual([
      'prod › mesh/Mesh: meshes[1].name is "default" but another mesh has the same name; declare each mesh once',
      'prod › mesh/Mesh: meshes[2].name is "Team_A" but mesh names are DNS labels; use lower-case letters, digits and dashes',
      'prod › mesh/Mesh: meshes[2].dataplaneCertificateExpiration is "1 day" but it is not a duration Kuma reads (a number and s, m, h or d); write e.g. "1d" or "12h"',
    ]);
  });

  it('fails when a vcluster asks for Merbridge', () => {
    expect(configErrors(() => new Mesh(testChart('staging', 'mesh'), 'Mesh', { merbridge: true }))).toEqual([
      "staging › mesh/Mesh: merbridge is true but Merbridge is a privileged DaemonSet on the host's nodes and staging is a vcluster; the host's Merbridge already serves its pods; remove merbridge here and run it on the host",
    ]);
  });

  it('fails when the host does not describe its CNI', () => {
    const prod = environment('prod');
    const env = withChanges('prod', { cluster: { ...prod.cluster, cni: undefined } });
    expect(configErrors(() => new Mesh(testChart('prod', 'mesh', env), 'Mesh'))).toEqual([
      "prod › mesh/Mesh: cluster.cni is missing but Kuma's CNI plugin is chained onto the host's CNI and needs its directories and configuration name; describe the nodes' CNI in cluster.cni of prod (Talos default: flannel, /etc/cni/net.d, /opt/cni/bin, 10-flannel.conflist)",
    ]);
  });
});

describe('mesh membership of namespaces', () => {
  it('labels an injected namespace with its mesh when it names one', () => {
    const chart = testChart('prod', 'demo');
    new PlatformNamespace(chart, 'Ns', { name: 'demo', podSecurity: 'baseline', mesh: 'injected', meshName: 'default' });
    new PlatformNamespace(chart, 'Plain', { name: 'plain', podSecurity: 'baseline', mesh: 'injected' });
    expect(find(objectsOf(chart), 'Namespace', 'demo').metadata.labels).toMatchObject({ 'kuma.io/sidecar-injection': 'enabled', 'kuma.io/mesh': 'default' });
    expect(find(objectsOf(chart), 'Namespace', 'plain').metadata.labels['kuma.io/mesh']).toBeUndefined();
  });

  it('fails when a namespace asks for injection in an environment without the mesh', () => {
    expect(configErrors(() => new PlatformNamespace(testChart('sandbox', 'demo'), 'Ns', { name: 'demo', podSecurity: 'baseline', mesh: 'injected' }))).toEqual([
      "sandbox › demo/Ns: mesh is \"injected\" but sandbox does not run the mesh service, so no sidecar would be injected; enable 'mesh' in the services of sandbox, or set mesh: 'excluded'",
    ]);
  });

  it('fails when a chart namespace asks for injection in an environment without the mesh', () => {
    const chart = testChart('sandbox', 'demo');
    expect(configErrors(() => new HelmApplication(chart, 'Chart', { chart: CHARTS.kuma, namespace: 'demo', createNamespace: { podSecurity: 'baseline', mesh: 'injected' }, values: {} }))).toEqual([
      "sandbox › demo/Chart: mesh is \"injected\" but sandbox does not run the mesh service, so no sidecar would be injected; enable 'mesh' in the services of sandbox, or set mesh: 'excluded'",
    ]);
  });

  it('fails when a namespace names an unknown mesh', () => {
    expect(configErrors(() => new PlatformNamespace(testChart('prod', 'demo'), 'Ns', { name: 'demo', podSecurity: 'baseline', mesh: 'injected', meshName: 'payments' }))).toEqual([
      'prod › demo/Ns: meshName is "payments" but the meshes of prod are default; use one of them, or add { name: \'payments\' } to services.mesh.meshes of prod',
    ]);
  });

  it('fails when an excluded namespace names a mesh', () => {
    expect(configErrors(() => new PlatformNamespace(testChart('prod', 'demo'), 'Ns', { name: 'demo', podSecurity: 'baseline', mesh: 'excluded', meshName: 'default' }))).toEqual([
      'prod › demo/Ns: meshName is "default" but the namespace is not injected (mesh is "excluded"), so it joins no mesh; set mesh: \'injected\', or remove meshName',
    ]);
  });
});
