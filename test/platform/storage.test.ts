import { describe, expect, it } from 'vitest';
import type { Environment } from '../../charts/environments/types.ts';
import { storageNodeRequirements, MAYASTOR_NODE_REQUIREMENTS } from '../../charts/platform/storage/node-requirements.ts';
import { diskPoolName, resolvePools } from '../../charts/platform/storage/pools.ts';
import { Storage, type StorageProps } from '../../charts/platform/storage/storage.ts';
import { configErrors, environment, find, manifestsOf, objectsOf, testChart, withChanges, realBuild } from '../helpers.ts';

const ID = '/dev/disk/by-id/';
/** The disks of PLATFORM.md, on their workers. */
const PLATFORM_DISKS = [
  ['worker-1', 'ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHR67'],
  ['worker-1', 'ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N7KEPLJ7'],
  ['worker-2', 'ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHTP3'],
  ['worker-2', 'ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N7KEPKF7'],
  ['worker-3', 'ata-ST2000VN004-2E4164_Z5274QJ6'],
  ['worker-3', 'ata-WDC_WD2004FBYZ-01YCBB1_WD-WMC6N0D6KXX4'],
] as const;

function mayastor(props: StorageProps = {}, env?: Environment) {
  const chart = testChart(env?.name ?? 'prod', 'storage', env);
  const construct = new Storage(chart, 'Storage', props);
  return { construct, objects: objectsOf(chart) };
}

/** prod with its node inventory replaced. */
function prodWithNodes(nodes: Environment['cluster']['nodes']): Environment {
  const prod = environment('prod');
  return withChanges('prod', { cluster: { ...prod.cluster, nodes } });
}

const valuesOf = (objects: readonly any[]) => find(objects, 'Application', 'prod-openebs-chart').spec.source.helm.valuesObject;

describe('Storage', () => {
  it('defaults: one pool per inventory disk, replicas = pool nodes capped at 3, mayastor the default class', () => {
    const { construct, objects } = mayastor();
    expect(construct.replicas).toBe(3);
    expect(objects.filter((o) => o.kind === 'DiskPool')).toHaveLength(6);
    const classes = objects.filter((o) => o.kind === 'StorageClass');
    expect(classes.map((o) => o.metadata.name).sort()).toEqual(['local-hostpath', 'mayastor']);
    expect(find(objects, 'StorageClass', 'mayastor').metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(find(objects, 'StorageClass', 'local-hostpath').metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBeUndefined();
  });

  it('installs OpenEBS 4.1.1 (Mayastor 2.7.1) with only Mayastor and hostpath local PV, in a privileged namespace', () => {
    const { objects } = mayastor();
    const app = find(objects, 'Application', 'prod-openebs-chart');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://openebs.github.io/openebs', chart: 'openebs', targetRevision: '4.1.1' });
    expect(app.spec.source.helm.releaseName).toBe('openebs');
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'openebs' });
    expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    const labels = app.spec.syncPolicy.managedNamespaceMetadata.labels;
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(labels['kuma.io/sidecar-injection']).toBe('disabled');

    const values = valuesOf(objects);
    expect(values.engines).toEqual({ local: { lvm: { enabled: false }, zfs: { enabled: false } }, replicated: { mayastor: { enabled: true } } });
    expect(values.mayastor['loki-stack']).toEqual({ enabled: false });
    expect(values.mayastor.obs.callhome).toEqual({ enabled: false });
    expect(values.mayastor.csi.node.initContainers).toEqual({ enabled: false });
    expect(values.mayastor.io_engine.nodeSelector['openebs.io/engine']).toBe('mayastor');
    expect(values.mayastor.io_engine.resources.requests.hugepages2Mi).toBe('2048Mi');
    expect(values.mayastor.io_engine.resources.limits.hugepages2Mi).toBe('2048Mi');
    expect(values.mayastor.etcd).toEqual({
      // no generated JWT key: a new one on every render would restart etcd on every sync
      auth: { token: { type: 'simple' } },
      replicaCount: 3,
      localpvScConfig: { enabled: true, basePath: '/var/local/openebs/localpv-hostpath/etcd' },
      persistence: { storageClass: 'mayastor-etcd-localpv' },
    });
    // busybox pinned from the catalogue in every init container the chart hard-codes as busybox:latest
    const images = Object.values(values.mayastor.base)
      .flatMap((group: any) => [...(group.containers ?? []), ...(group.initContainer ?? [])])
      .map((c: any) => c.image);
    expect(images).toHaveLength(5);
    expect(new Set(images)).toEqual(new Set(['docker.io/library/busybox:1.37.0']));
    // Only our classes: the chart's single-replica and openebs-hostpath classes are off.
    expect(values.mayastor.storageClass).toEqual({ enabled: false });
    expect(values['localpv-provisioner']).toEqual({
      localpv: { basePath: '/var/local/local-hostpath' },
      hostpathClass: { enabled: false },
      analytics: { enabled: false },
    });
  });

  it('creates one DiskPool per disk, on its node, in the openebs namespace, after the chart', () => {
    const { objects } = mayastor();
    const pools = objects.filter((o) => o.kind === 'DiskPool') as any[];
    for (const pool of pools) {
      expect(pool.apiVersion).toBe('openebs.io/v1beta2');
      expect(pool.metadata.namespace).toBe('openebs');
      expect(pool.spec.disks).toHaveLength(1);
      expect(pool.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    }
    expect(pools.map((p) => [p.spec.node, p.spec.disks[0]]).sort()).toEqual(PLATFORM_DISKS.map(([node, disk]) => [node, `${ID}${disk}`]).sort());
    expect(pools.map((p) => p.metadata.name).sort()).toEqual([
      'worker-1-wd-wcc4n5dahr67',
      'worker-1-wd-wcc4n7keplj7',
      'worker-2-wd-wcc4n5dahtp3',
      'worker-2-wd-wcc4n7kepkf7',
      'worker-3-wd-wmc6n0d6kxx4',
      'worker-3-z5274qj6',
    ]);
  });

  it('writes the mayastor and local-hostpath classes of PLATFORM.md', () => {
    const { objects } = mayastor({ replicas: 2 });
    const replicated = find(objects, 'StorageClass', 'mayastor');
    expect(replicated.metadata.namespace).toBeUndefined();
    expect(replicated.provisioner).toBe('io.openebs.csi-mayastor');
    expect(replicated.parameters).toEqual({ protocol: 'nvmf', ioTimeout: '30', repl: '2', stsAffinityGroup: 'true' });
    expect(replicated.allowVolumeExpansion).toBe(true);
    const local = find(objects, 'StorageClass', 'local-hostpath');
    expect(local.provisioner).toBe('openebs.io/local');
    expect(local.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(local.reclaimPolicy).toBe('Delete');
    expect(local.metadata.annotations['cas.openebs.io/config']).toBe('- name: StorageType\n  value: hostpath\n- name: BasePath\n  value: /var/local/local-hostpath\n');
  });

  it('can make local-hostpath the default class instead', () => {
    const { objects } = mayastor({ defaultClass: false, localHostpath: { defaultClass: true } });
    const defaults = objects.filter((o) => o.kind === 'StorageClass' && o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    expect(defaults.map((o) => o.metadata.name)).toEqual(['local-hostpath']);
  });

  it('takes explicit pools and caps default replicas at the nodes with pools', () => {
    const { construct, objects } = mayastor({
      pools: [
        { node: 'worker-1', disk: `${ID}ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHR67` },
        { node: 'worker-2', disk: `${ID}ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHTP3`, name: 'fast' },
      ],
    });
    expect(construct.replicas).toBe(2);
    expect(find(objects, 'DiskPool', 'fast', 'openebs').spec.node).toBe('worker-2');
    expect(find(objects, 'StorageClass', 'mayastor').parameters.repl).toBe('2');
    // Fewer than 3 pool nodes: a single etcd member (hard anti-affinity needs one node per member).
    expect(valuesOf(objects).mayastor.etcd.replicaCount).toBe(1);
  });

  it('the prod build: six pools on the right workers, mayastor the only default class, OpenEBS 4.1.1 in the root', () => {
    const b = realBuild();
    const storage = manifestsOf(b, 'prod', 'storage').map((m) => m.object as any);
    const pools = storage.filter((o) => o.kind === 'DiskPool');
    expect(pools.map((p) => `${p.spec.node} ${p.spec.disks.join(',')}`).sort()).toEqual(PLATFORM_DISKS.map(([n, d]) => `${n} ${ID}${d}`).sort());
    const defaults = manifestsOf(b, 'prod')
      .map((m) => m.object as any)
      .filter((o) => o.kind === 'StorageClass' && o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    expect(defaults.map((o) => o.metadata.name)).toEqual(['mayastor']);
    expect(find(storage, 'StorageClass', 'mayastor').parameters.repl).toBe('2');
    const root = manifestsOf(b, 'prod', 'root').map((m) => m.object as any);
    const chartApp = find(root, 'Application', 'prod-openebs-chart');
    expect(chartApp.spec.source.targetRevision).toBe('4.1.1');
    const folderApp = find(root, 'Application', 'prod-storage');
    expect(Number(folderApp.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(Number(chartApp.metadata.annotations['argocd.argoproj.io/sync-wave']));
    // staging and sandbox run no storage: their vclusters use the host's classes.
    for (const env of ['staging', 'sandbox'] as const) {
      expect(manifestsOf(b, env, 'storage')).toEqual([]);
      expect(environment(env).hostProvided.storageClasses).toEqual(expect.arrayContaining(['mayastor', 'local-hostpath']));
    }
  });

  it('fails when a disk is not given by /dev/disk/by-id/', () => {
    const nodes = environment('prod').cluster.nodes.map((n) => (n.name === 'worker-1' ? { ...n, disks: ['/dev/sdb', ...(n.disks ?? []).slice(1)] } : n));
    expect(configErrors(() => mayastor({}, prodWithNodes(nodes)))).toEqual([
      'prod › storage/Storage: cluster.nodes[3].disks[0] is "/dev/sdb" but Mayastor pools name disks by stable id (device letters change, e.g. when a USB key is removed); use the disk\'s /dev/disk/by-id/… path',
    ]);
  });

  it('fails when the same disk is listed twice', () => {
    const twice = `${ID}ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHR67`;
    const nodes = environment('prod').cluster.nodes.map((n) => (n.name === 'worker-2' ? { ...n, disks: [...(n.disks ?? []), twice] } : n));
    expect(configErrors(() => mayastor({}, prodWithNodes(nodes)))).toEqual([
      `prod › storage/Storage: cluster.nodes[4].disks[2] is "${twice}" but cluster.nodes[3].disks[0] already pools this disk; list each disk once, on the node it is plugged into`,
    ]);
  });

  it('fails when a pool is on a node that is not in the inventory', () => {
    expect(configErrors(() => mayastor({ pools: [{ node: 'worker-9', disk: `${ID}ata-X_SERIAL1` }] }))).toEqual([
      'prod › storage/Storage: pools[0].node is "worker-9" but prod has no such node (nodes: controlplane-1, controlplane-2, controlplane-3, worker-1, worker-2, worker-3, omni-endpoint-vm); add the machine to cluster.nodes or use one of those names',
    ]);
  });

  it('fails when replicas is below 1', () => {
    expect(configErrors(() => mayastor({ replicas: 0 }))).toEqual(['prod › storage/Storage: replicas is 0 but every volume needs at least 1 copy; set replicas between 1 and 3']);
  });

  it('fails when replicas is not a whole number', () => {
    expect(configErrors(() => mayastor({ replicas: 1.5 }))).toEqual(['prod › storage/Storage: replicas is 1.5 but a volume has a whole number of copies; set replicas between 1 and 3']);
  });

  it('fails when replicas exceeds the distinct nodes with pools', () => {
    expect(configErrors(() => mayastor({ replicas: 4 }))).toEqual(['prod › storage/Storage: replicas is 4 but only 3 nodes have pools (worker-1, worker-2, worker-3); set replicas ≤ 3 or add pools']);
  });

  it('fails when two classes are default in one environment', () => {
    expect(configErrors(() => mayastor({ localHostpath: { defaultClass: true } }))).toEqual([
      'prod › storage/Storage: localHostpath.defaultClass is true but defaultClass already makes mayastor the default StorageClass and an environment has exactly one; set defaultClass: false to make local-hostpath the default, or drop localHostpath.defaultClass',
    ]);
  });

  it('fails when there is no pool at all', () => {
    const nodes = environment('prod').cluster.nodes.map(({ disks: _disks, ...node }) => node);
    expect(configErrors(() => mayastor({}, prodWithNodes(nodes)))).toEqual([
      "prod › storage/Storage: cluster.nodes[].disks is [] but Mayastor needs at least one DiskPool; list the data disks of prod's nodes (by /dev/disk/by-id/ path) in cluster.nodes[].disks",
    ]);
  });

  it('fails when enabled in a vcluster environment', () => {
    expect(configErrors(() => mayastor({}, environment('staging')))).toEqual([
      'staging › storage/Storage: services.storage is "enabled" but staging is a vcluster on prod, with no nodes or disks of its own; remove storage from staging\'s services and use the host\'s classes (hostProvided.storageClasses)',
    ]);
  });

  it('fails when two disks derive the same pool name', () => {
    const pools = [
      { node: 'worker-1', disk: `${ID}ata-A_SAME1` },
      { node: 'worker-1', disk: `${ID}nvme-B_SAME1` },
    ];
    expect(configErrors(() => mayastor({ pools }))).toEqual([
      `prod › storage/Storage: pools[1].disk is "${ID}nvme-B_SAME1" but its pool would be named "worker-1-same1" like the pool of pools[0]; list the pools in the storage settings (pools) and give one of them a name`,
    ]);
  });

  it('fails when an explicit pool name is not a DNS label', () => {
    expect(configErrors(() => mayastor({ pools: [{ node: 'worker-1', disk: `${ID}ata-A_S1`, name: 'Pool_1' }] }))).toEqual([
      'prod › storage/Storage: pools[0].name is "Pool_1" but DiskPool names are DNS labels; use lower-case letters, digits and dashes (at most 63)',
    ]);
  });

  it('fails when the local-hostpath base path is outside /var/local', () => {
    expect(configErrors(() => mayastor({ localHostpath: { basePath: '/var/openebs/local' } }))).toEqual([
      'prod › storage/Storage: localHostpath.basePath is "/var/openebs/local" but the kubelet on Talos only sees host folders below /var/local (its bind mount); use a folder below /var/local/, e.g. /var/local/local-hostpath',
    ]);
  });

  it('reports every problem at once', () => {
    const errors = configErrors(() => mayastor({ pools: [{ node: 'nope', disk: '/dev/sdc' }], replicas: 2, localHostpath: { defaultClass: true } }));
    expect(errors).toHaveLength(4);
  });
});

describe('diskPoolName', () => {
  it('is <node>-<serial> as a DNS label', () => {
    expect(diskPoolName('worker-1', `${ID}ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHR67`)).toBe('worker-1-wd-wcc4n5dahr67');
    expect(diskPoolName('worker-3', `${ID}ata-ST2000VN004-2E4164_Z5274QJ6`)).toBe('worker-3-z5274qj6');
    expect(diskPoolName('worker-2', `${ID}wwn-0x5000c500a1b2c3d4`)).toBe('worker-2-wwn-0x5000c500a1b2c3d4');
  });

  it('stays within 63 characters and unique when it must be cut', () => {
    const a = diskPoolName('a-rather-long-node-name-for-a-machine', `${ID}nvme-Model_SERIAL-THAT-IS-VERY-LONG-INDEED-0001`);
    const b = diskPoolName('a-rather-long-node-name-for-a-machine', `${ID}nvme-Model_SERIAL-THAT-IS-VERY-LONG-INDEED-0002`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
    expect(diskPoolName('a-rather-long-node-name-for-a-machine', `${ID}nvme-Model_SERIAL-THAT-IS-VERY-LONG-INDEED-0001`)).toBe(a);
  });

  it('does not depend on the other pools (adding a disk renames nothing)', () => {
    const before = resolvePools(environment('prod')).map((p) => p.name);
    const nodes = environment('prod').cluster.nodes.map((n) => (n.name === 'worker-1' ? { ...n, disks: [...(n.disks ?? []), `${ID}ata-NEW_DISK9`] } : n));
    const after = resolvePools(prodWithNodes(nodes)).map((p) => p.name);
    expect(after.filter((name) => before.includes(name))).toEqual(before);
    expect(after).toContain('worker-1-disk9');
  });
});

describe('storageNodeRequirements', () => {
  it('asks hugepages, the engine label and the /var/local kubelet mount of every node with pools', () => {
    const requirements = storageNodeRequirements(environment('prod'));
    expect([...requirements.keys()]).toEqual(['worker-1', 'worker-2', 'worker-3']);
    for (const list of requirements.values()) {
      expect(list).toEqual([MAYASTOR_NODE_REQUIREMENTS]);
    }
    const [req] = requirements.get('worker-1')!;
    expect(req!.sysctls).toEqual({ 'vm.nr_hugepages': '1024' });
    expect(req!.nodeLabels).toEqual({ 'openebs.io/engine': 'mayastor' });
    expect(req!.kubeletExtraMounts).toEqual([{ source: '/var/local', destination: '/var/local', options: ['rbind', 'rshared', 'rw'] }]);
    expect(req!.reason).toContain('hugepages');
  });

  it('follows explicit pools from the storage settings', () => {
    const prod = environment('prod');
    const env = withChanges('prod', { services: { ...prod.services, storage: { pools: [{ node: 'worker-2', disk: `${ID}ata-A_S1` }] } } });
    expect([...storageNodeRequirements(env).keys()]).toEqual(['worker-2']);
  });

  it('asks nothing where storage does not run', () => {
    expect(storageNodeRequirements(environment('staging')).size).toBe(0);
    expect(storageNodeRequirements(environment('sandbox')).size).toBe(0);
  });
});
