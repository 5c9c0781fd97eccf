import { Construct } from 'constructs';
import { Cdiv1Beta1, Cdiv1Beta1SpecImagePullPolicy, Cdiv1Beta1SpecUninstallStrategy } from '../../../imports/kubevirt-cdi-cdi.kubevirt.io.ts';
import { KubeVirt as KubeVirtResource } from '../../../imports/kubevirt-kubevirt.io.ts';
import { RELEASE_ASSETS } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { DNS_SUBDOMAIN } from '../../lib/names.ts';
import { PlatformChart } from '../../lib/platform-chart.ts';
import { RemoteManifestsApplication } from '../../lib/remote-manifests.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';

export interface KubeVirtProps {
  /** KubeVirt feature gates (`developerConfiguration.featureGates`). @default none */
  readonly featureGates?: readonly string[];
  /**
   * Software emulation instead of KVM, for nodes without hardware virtualisation (slow; tests only).
   * @default false
   */
  readonly useEmulation?: boolean;
  /** CDI feature gates. @default ['HonorWaitForFirstConsumer'] (what the CDI release's own CR sets) */
  readonly cdiFeatureGates?: readonly string[];
  /** StorageClass for CDI's scratch space while importing images. @default the cluster's default class */
  readonly scratchSpaceStorageClass?: string;
}

/** Namespaces the release manifests create (their names are fixed in the release assets). */
export const KUBEVIRT_NAMESPACE = 'kubevirt';
export const CDI_NAMESPACE = 'cdi';

const FEATURE_GATE = /^[A-Za-z0-9]+$/;

/**
 * KubeVirt and CDI: the operators from their pinned upstream releases (release assets fetched by Argo
 * CD through a generated kustomization; nothing copied into the repository), with their large CRDs
 * applied server-side, then the `KubeVirt` and `CDI` resources, typed, in this service's folder, which
 * syncs after both operator Applications are healthy. docs/decisions/0702-kubevirt-release-assets.md
 */
export class KubeVirt extends Construct {
  readonly operator: RemoteManifestsApplication;
  readonly cdiOperator: RemoteManifestsApplication;
  readonly kubevirt: KubeVirtResource;
  readonly cdi: Cdiv1Beta1;

  constructor(scope: Construct, id: string, props: KubeVirtProps = {}) {
    super(scope, id);
    const { environment } = PlatformChart.of(this);
    const featureGates = props.featureGates ?? [];
    const cdiFeatureGates = props.cdiFeatureGates ?? ['HonorWaitForFirstConsumer'];
    const errors = ConfigErrors.of(this);
    errors.check(environment.cluster.kind === 'talos', {
      field: 'cluster.kind',
      value: environment.cluster.kind,
      problem: 'KubeVirt runs virtual machines on the nodes themselves (/dev/kvm, privileged virt-handler), which a virtual cluster does not own',
      fix: `enable kubevirt on the host environment (${environment.cluster.host ?? 'prod'}) instead`,
    });
    for (const [field, gates] of [
      ['featureGates', featureGates],
      ['cdiFeatureGates', cdiFeatureGates],
    ] as const) {
      for (const gate of gates) {
        errors.check(FEATURE_GATE.test(gate), { field, value: gate, problem: 'feature gates are single CamelCase words', fix: 'write the gate as the release notes name it, e.g. "LiveMigration"' });
      }
    }
    if (props.scratchSpaceStorageClass !== undefined) {
      errors.check(DNS_SUBDOMAIN.test(props.scratchSpaceStorageClass), {
        field: 'scratchSpaceStorageClass',
        value: props.scratchSpaceStorageClass,
        problem: 'it is not a StorageClass name',
        fix: 'name an existing StorageClass, e.g. "mayastor", or leave it unset for the default class',
      });
    }
    errors.throwIfAny();

    // Both bundles carry CRDs too large for client-side apply's last-applied annotation.
    this.operator = new RemoteManifestsApplication(this, 'Operator', {
      name: 'kubevirt-operator',
      release: RELEASE_ASSETS.kubevirtOperator,
      namespace: KUBEVIRT_NAMESPACE,
      // virt-handler is a privileged DaemonSet with host mounts.
      podSecurity: 'privileged',
      syncOptions: ['ServerSideApply=true'],
      waveOffset: 0,
    });
    this.cdiOperator = new RemoteManifestsApplication(this, 'CdiOperator', {
      name: 'cdi-operator',
      release: RELEASE_ASSETS.cdiOperator,
      namespace: CDI_NAMESPACE,
      // CDI's own pods use no host access; importer pods run in the DataVolume's namespace.
      podSecurity: 'baseline',
      syncOptions: ['ServerSideApply=true'],
      waveOffset: 1,
    });

    this.kubevirt = new KubeVirtResource(this, 'KubeVirt', {
      metadata: { name: 'kubevirt', namespace: KUBEVIRT_NAMESPACE },
      spec: {
        certificateRotateStrategy: {},
        configuration: {
          developerConfiguration: { featureGates: [...featureGates], ...(props.useEmulation ? { useEmulation: true } : {}) },
        },
        customizeComponents: {},
        imagePullPolicy: 'IfNotPresent',
        // Keep running VMs when KubeVirt is removed by mistake: deletion waits until no VM is left.
        uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
        workloadUpdateStrategy: { workloadUpdateMethods: ['LiveMigrate'] },
      },
    });
    setSyncWave(this.kubevirt, Wave.DEFAULT);

    this.cdi = new Cdiv1Beta1(this, 'Cdi', {
      metadata: { name: 'cdi' },
      spec: {
        config: {
          featureGates: [...cdiFeatureGates],
          ...(props.scratchSpaceStorageClass ? { scratchSpaceStorageClass: props.scratchSpaceStorageClass } : {}),
        },
        imagePullPolicy: Cdiv1Beta1SpecImagePullPolicy.IF_NOT_PRESENT,
        infra: { nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] },
        workload: { nodeSelector: { 'kubernetes.io/os': 'linux' } },
        uninstallStrategy: Cdiv1Beta1SpecUninstallStrategy.BLOCK_UNINSTALL_IF_WORKLOADS_EXIST,
      },
    });
    setSyncWave(this.cdi, Wave.DEFAULT);
  }
}
