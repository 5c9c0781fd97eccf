import type { KubeObject } from '../../charts/lib/manifest.ts';
import type { ClusterView, ControllerRule, Need, ObjectRef } from '../../charts/lib/controller-model.ts';

/**
 * Kubernetes' own controllers and the kubelet, as the simulation needs them: a pod starts only when
 * every non-optional Secret, ConfigMap, PersistentVolumeClaim (bound) and ServiceAccount it
 * references exists and its images are pinned; a claim binds once its StorageClass exists; a
 * namespace gets its `default` ServiceAccount and `kube-root-ca.crt` ConfigMap.
 */

type Json = Record<string, any>;

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** An image is pinned when it names a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const last = image.split('/').at(-1) ?? '';
  const colon = last.indexOf(':');
  return colon > 0 && last.slice(colon + 1) !== 'latest' && last.slice(colon + 1) !== '';
}

function defaultStorageClass(view: ClusterView): string | undefined {
  return view.list('storage.k8s.io', 'StorageClass').find((sc) => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')?.metadata.name;
}

function storageClassNeed(view: ClusterView, name: string | undefined, what: string): Need {
  const resolved = name ?? defaultStorageClass(view);
  return { ref: { group: 'storage.k8s.io', kind: 'StorageClass', name: resolved ?? '(default)' }, what: resolved ? `StorageClass ${resolved} (${what})` : `a default StorageClass (${what})` };
}

/** Everything a pod template needs before its containers start. */
export function podNeeds(template: Json, namespace: string, view: ClusterView, volumeClaimTemplates: Json[] = [], owner = ''): Need[] {
  const spec: Json = template?.spec ?? {};
  const needs: Need[] = [];
  const ref = (kind: string, name: string): ObjectRef => ({ group: '', kind, namespace, name });
  const secret = (name: string, optional?: boolean) => {
    if (!optional) needs.push({ ref: ref('Secret', name), what: `Secret ${namespace}/${name}` });
  };
  const configMap = (name: string, optional?: boolean) => {
    if (!optional) needs.push({ ref: ref('ConfigMap', name), what: `ConfigMap ${namespace}/${name}` });
  };
  needs.push({ ref: ref('ServiceAccount', spec.serviceAccountName ?? 'default'), what: `ServiceAccount ${namespace}/${spec.serviceAccountName ?? 'default'}` });
  for (const volume of spec.volumes ?? []) {
    if (volume.secret) secret(volume.secret.secretName, volume.secret.optional);
    if (volume.configMap) configMap(volume.configMap.name, volume.configMap.optional);
    if (volume.persistentVolumeClaim)
      needs.push({
        ref: ref('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName),
        ready: (pvc) => (pvc as Json).status?.phase === 'Bound',
        what: `bound PersistentVolumeClaim ${namespace}/${volume.persistentVolumeClaim.claimName}`,
      });
    for (const source of volume.projected?.sources ?? []) {
      if (source.secret) secret(source.secret.name, source.secret.optional);
      if (source.configMap) configMap(source.configMap.name, source.configMap.optional);
    }
  }
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (typeof container.image === 'string' && !isPinnedImage(container.image)) {
      needs.push({ ref: { group: '', kind: 'PinnedImage', name: container.image }, what: `a pinned image for container ${container.name} (got "${container.image}")` });
    }
    for (const from of container.envFrom ?? []) {
      if (from.secretRef) secret(from.secretRef.name, from.secretRef.optional);
      if (from.configMapRef) configMap(from.configMapRef.name, from.configMapRef.optional);
    }
    for (const env of container.env ?? []) {
      if (env.valueFrom?.secretKeyRef) secret(env.valueFrom.secretKeyRef.name, env.valueFrom.secretKeyRef.optional);
      if (env.valueFrom?.configMapKeyRef) configMap(env.valueFrom.configMapKeyRef.name, env.valueFrom.configMapKeyRef.optional);
    }
  }
  for (const claim of volumeClaimTemplates) {
    needs.push(storageClassNeed(view, claim.spec?.storageClassName, `volume ${claim.metadata?.name} of ${owner}`));
  }
  return dedupe(needs);
}

function dedupe(needs: Need[]): Need[] {
  const seen = new Set<string>();
  return needs.filter((need) => {
    const key = need.what;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const always = { always: true } as const;

function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', ready: (object: Json) => Json, waiting: (object: Json) => Json): ControllerRule {
  return {
    controller: 'kube-controller-manager',
    runs: always,
    watches: { group: 'apps', kind },
    react: (object, view) => {
      const o = object as Json;
      const namespace = object.metadata.namespace ?? 'default';
      return {
        needs: podNeeds(o.spec?.template, namespace, view, o.spec?.volumeClaimTemplates ?? [], `${kind} ${namespace}/${object.metadata.name}`),
        makes: [],
        status: ready(o),
        waitingStatus: waiting(o),
      };
    },
  };
}

/** Status fields the gitops-engine health checks read (pkg/health/health_*.go). */
export const KUBERNETES_RULES: readonly ControllerRule[] = [
  workload(
    'Deployment',
    (o) => ({ observedGeneration: 1, replicas: o.spec?.replicas ?? 1, updatedReplicas: o.spec?.replicas ?? 1, readyReplicas: o.spec?.replicas ?? 1, availableReplicas: o.spec?.replicas ?? 1 }),
    (o) => ({ observedGeneration: 1, replicas: o.spec?.replicas ?? 1, updatedReplicas: o.spec?.replicas ?? 1, availableReplicas: 0, unavailableReplicas: o.spec?.replicas ?? 1 }),
  ),
  workload(
    'StatefulSet',
    (o) => ({
      observedGeneration: 1,
      replicas: o.spec?.replicas ?? 1,
      readyReplicas: o.spec?.replicas ?? 1,
      currentReplicas: o.spec?.replicas ?? 1,
      updatedReplicas: o.spec?.replicas ?? 1,
      currentRevision: 'r1',
      updateRevision: 'r1',
    }),
    (o) => ({ observedGeneration: 1, replicas: o.spec?.replicas ?? 1, readyReplicas: 0, currentRevision: 'r1', updateRevision: 'r1' }),
  ),
  // One node runs each DaemonSet in the model (the count does not change any verdict).
  workload(
    'DaemonSet',
    () => ({ observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberReady: 1 }),
    () => ({ observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 0, numberReady: 0 }),
  ),
  {
    controller: 'kube-controller-manager',
    runs: always,
    watches: { group: 'batch', kind: 'Job' },
    react: (object, view) => ({
      needs: podNeeds((object as Json).spec?.template, object.metadata.namespace ?? 'default', view),
      makes: [],
      status: { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 },
    }),
  },
  {
    controller: 'kube-controller-manager',
    runs: always,
    watches: { group: '', kind: 'PersistentVolumeClaim' },
    react: (object, view) => ({
      needs: [storageClassNeed(view, (object as Json).spec?.storageClassName, `claim ${object.metadata.namespace}/${object.metadata.name}`)],
      makes: [],
      status: { phase: 'Bound' },
      waitingStatus: { phase: 'Pending' },
    }),
  },
  // The disruption controller writes a condition as soon as it has counted the selected pods
  // (pkg/controller/disruption: SufficientPods, or InsufficientPods while they are not ready).
  {
    controller: 'kube-controller-manager',
    runs: always,
    watches: { group: 'policy', kind: 'PodDisruptionBudget' },
    react: () => ({ needs: [], makes: [], status: { observedGeneration: 1, conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }] } }),
  },
  {
    controller: 'kube-controller-manager',
    runs: always,
    watches: { group: '', kind: 'Namespace' },
    react: (object) => ({
      needs: [],
      makes: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: object.metadata.name } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: object.metadata.name }, data: { 'ca.crt': '(cluster CA)' } },
      ],
      status: { phase: 'Active' },
    }),
  },
];

/** The PersistentVolumeClaims a StatefulSet's controller creates from its claim templates. */
export function statefulSetClaims(object: KubeObject): KubeObject[] {
  const o = object as Json;
  const replicas = o.spec?.replicas ?? 1;
  const claims: KubeObject[] = [];
  for (const template of o.spec?.volumeClaimTemplates ?? []) {
    for (let index = 0; index < replicas; index++) {
      claims.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${template.metadata.name}-${object.metadata.name}-${index}`, namespace: object.metadata.namespace }, spec: template.spec });
    }
  }
  return claims;
}
