/**
 * Changes Kubernetes rejects, or that delete or replace an object, found by comparing two versions
 * of the same object (same API group, kind, namespace and name). Kubernetes 1.28 update validation
 * is the reference: `ValidateStatefulSetUpdate`, `ValidatePersistentVolumeClaimUpdate`,
 * `ValidateStorageClassUpdate`, `ValidateJobUpdate`, the `roleRef` rule of bindings, and CEL rules
 * of CRDs we install (Gateway API).
 */
import type { KubeObject } from '../charts/lib/manifest.ts';
import type { ObjectIdentity } from './dist-tree.ts';
import { deepEqual, diffValues, formatChange, valueAt } from './field-diff.ts';

export type Severity =
  /** The API server refuses the update: Argo CD's sync fails until the object is deleted and re-created. */
  | 'rejected'
  /** The object is deleted and created again (a rename, a move to another Application). */
  | 'replaced'
  /** Removing the object deletes more than itself: data, or every object it owns. */
  | 'deletes';

export interface Finding {
  readonly severity: Severity;
  /** Field the finding is about (`spec.selector`), when there is one. */
  readonly field?: string;
  readonly message: string;
  /** The other half of a finding already reported (the added side of a rename): not repeated in summaries. */
  readonly echo?: boolean;
}

interface ImmutableRule {
  readonly group: string;
  readonly kinds: readonly string[];
  /** Fields that may not change once created. */
  readonly fields?: readonly string[];
  /** `spec` may change only in these keys (StatefulSet, PersistentVolumeClaim). */
  readonly specMutable?: readonly string[];
  /** Only when the old object satisfies this (an immutable ConfigMap). */
  readonly when?: (before: KubeObject) => boolean;
  readonly why: string;
}

const RECREATE = 'delete and re-create it (Argo CD sync option Replace=true), or keep the old value';

export const IMMUTABLE_RULES: readonly ImmutableRule[] = [
  { group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet'], fields: ['spec.selector'], why: `the selector is immutable; ${RECREATE}` },
  {
    group: 'apps',
    kinds: ['StatefulSet'],
    specMutable: ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'],
    why: `a StatefulSet may only change replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds and ordinals; ${RECREATE} (its claims stay; delete with --cascade=orphan to keep the pods)`,
  },
  { group: 'batch', kinds: ['Job'], fields: ['spec.selector', 'spec.template', 'spec.completionMode'], why: `a Job's pod template is immutable; ${RECREATE} (or give the Job a new name)` },
  { group: '', kinds: ['Service'], fields: ['spec.clusterIP', 'spec.clusterIPs'], why: `a Service's cluster IP cannot change; ${RECREATE}` },
  {
    group: '',
    kinds: ['PersistentVolumeClaim'],
    specMutable: ['resources'],
    why: 'a bound claim only grows its storage request; anything else means a new claim (and a data migration)',
  },
  {
    group: '',
    kinds: ['PersistentVolume'],
    fields: ['spec.csi', 'spec.local', 'spec.hostPath', 'spec.nfs', 'spec.nodeAffinity', 'spec.volumeMode'],
    why: 'the volume source of a PersistentVolume is immutable; create a new volume and migrate',
  },
  {
    group: 'storage.k8s.io',
    kinds: ['StorageClass'],
    fields: ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'],
    why: `StorageClass parameters, provisioner, reclaimPolicy and volumeBindingMode are immutable; ${RECREATE} (existing volumes keep the old settings)`,
  },
  { group: 'rbac.authorization.k8s.io', kinds: ['RoleBinding', 'ClusterRoleBinding'], fields: ['roleRef'], why: `roleRef is immutable; ${RECREATE}, or make a new binding` },
  {
    group: '',
    kinds: ['ConfigMap', 'Secret'],
    fields: ['data', 'binaryData', 'stringData', 'immutable'],
    when: (before) => (before as { immutable?: unknown }).immutable === true,
    why: 'the object is marked immutable; give it a new name (and point its users at it)',
  },
  { group: 'apiextensions.k8s.io', kinds: ['CustomResourceDefinition'], fields: ['spec.scope', 'spec.group'], why: 'a CRD cannot change its scope or group' },
  { group: 'gateway.networking.k8s.io', kinds: ['GatewayClass'], fields: ['spec.controllerName'], why: `controllerName is immutable (CEL rule of the CRD); ${RECREATE}` },
];

interface DeletionRule {
  readonly group: string;
  readonly kind: string;
  readonly when?: (object: KubeObject) => boolean;
  readonly why: string;
}

const ARGO_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export const DELETION_RULES: readonly DeletionRule[] = [
  { group: '', kind: 'Namespace', why: 'deleting a Namespace deletes every object in it' },
  { group: '', kind: 'PersistentVolumeClaim', why: 'deleting a claim deletes its volume and data when its class reclaims with Delete' },
  { group: '', kind: 'PersistentVolume', why: 'deleting a volume may delete its data (reclaim policy)' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', why: 'deleting a CRD deletes every custom resource of its kind, in every namespace' },
  { group: 'openebs.io', kind: 'DiskPool', why: 'deleting a DiskPool removes the Mayastor pool from its disk' },
  {
    group: 'argoproj.io',
    kind: 'Application',
    when: (object) => ((object.metadata.finalizers as string[] | undefined) ?? []).includes(ARGO_RESOURCES_FINALIZER),
    why: `the Application carries ${ARGO_RESOURCES_FINALIZER}: Argo CD deletes every resource it manages`,
  },
];

function ruleApplies(rule: { group: string; kinds?: readonly string[]; kind?: string }, identity: ObjectIdentity): boolean {
  return rule.group === identity.group && (rule.kinds ? rule.kinds.includes(identity.kind) : rule.kind === identity.kind);
}

/** Findings for an object that exists before and after with different content. */
export function updateFindings(identity: ObjectIdentity, before: KubeObject, after: KubeObject): Finding[] {
  const findings: Finding[] = [];
  for (const rule of IMMUTABLE_RULES) {
    if (!ruleApplies(rule, identity) || (rule.when && !rule.when(before))) continue;
    const fields = [...(rule.fields ?? [])];
    if (rule.specMutable) {
      const keys = new Set([...Object.keys((before.spec as object) ?? {}), ...Object.keys((after.spec as object) ?? {})]);
      for (const key of [...keys].sort()) if (!rule.specMutable.includes(key)) fields.push(`spec.${key}`);
    }
    for (const field of fields) {
      const keys = field.split('.');
      const a = valueAt(before, keys);
      const b = valueAt(after, keys);
      if (!deepEqual(a, b)) {
        const changes = diffValues(a, b, keys);
        const shown = changes.slice(0, 2).map((change) => formatChange(change, 40));
        const more = changes.length > 2 ? `; … ${changes.length - 2} more` : '';
        findings.push({ severity: 'rejected', field, message: `${shown.join('; ')}${more}: ${rule.why}` });
      }
    }
  }
  if (identity.group === '' && identity.kind === 'PersistentVolumeClaim') {
    const a = quantity(valueAt(before, ['spec', 'resources', 'requests', 'storage']));
    const b = quantity(valueAt(after, ['spec', 'resources', 'requests', 'storage']));
    if (a !== undefined && b !== undefined && b < a) {
      findings.push({ severity: 'rejected', field: 'spec.resources.requests.storage', message: 'spec.resources.requests.storage shrinks: volumes only grow; keep the old size or migrate to a new claim' });
    }
  }
  return findings;
}

/** Findings for an object that disappears. */
export function deletionFindings(identity: ObjectIdentity, object: KubeObject): Finding[] {
  return DELETION_RULES.filter((rule) => ruleApplies(rule, identity) && (!rule.when || rule.when(object))).map((rule) => ({
    severity: 'deletes' as const,
    message: rule.why,
  }));
}

const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  m: 1e-3,
};

/** A Kubernetes quantity (`10Gi`, `500M`, `1.5`) in base units; undefined when it is not one. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(value.trim());
  if (!match || !(match[2]! in SUFFIXES)) return undefined;
  return Number(match[1]) * SUFFIXES[match[2]!]!;
}
