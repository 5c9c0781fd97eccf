/**
 * What `--api-versions` Argo CD passes to helm for a destination cluster: every group/version and
 * group/version/Kind the cluster serves (argo-cd v2.14.21 controller/appcontroller.go
 * `getAppResources` → reposerver `APIVersions`, built by util/argo `APIResourcesToStrings(…, true)`).
 * A fresh cluster serves the built-in APIs of its Kubernetes version plus the CRDs installed so far;
 * for an Application at wave W that is the CRDs of the Applications synced before W.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, readLock, type SchemaLock, schemasDir } from '../../gate/schemas-location.ts';
import type { KubeObject } from '../../charts/lib/manifest.ts';

/**
 * Group versions a Kubernetes 1.28 API server serves by default (kubernetes v1.28
 * pkg/controlplane/instance.go `DefaultAPIResourceConfigSource`: the stable versions, plus the
 * flowcontrol betas still enabled by default); alpha and removed betas are off.
 */
const SERVED_GROUP_VERSIONS_1_28 = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1',
  'apiregistration.k8s.io/v1',
  'apps/v1',
  'authentication.k8s.io/v1',
  'authorization.k8s.io/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'certificates.k8s.io/v1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'rbac.authorization.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1',
];

const builtInCache = new Map<string, string[]>();

/**
 * Built-in API versions of a Kubernetes minor, with their kinds taken from the pinned definitions
 * (`<schemas>/kubernetes/v<minor>.0/_definitions.json`).
 */
export function builtInApiVersions(kubernetesMinor: string, dir: string = schemasDir()): string[] {
  const cached = builtInCache.get(kubernetesMinor);
  if (cached) return cached;
  if (kubernetesMinor !== '1.28') {
    throw new Error(`npm run render knows the APIs served by Kubernetes 1.28 only (tools/render/api-versions.ts); add the served group versions of ${kubernetesMinor}`);
  }
  const file = join(dir, 'kubernetes', `v${kubernetesMinor}.0`, '_definitions.json');
  // The definitions are large and never change for a pinned schema folder: the list is kept beside the render cache.
  const cacheFile = join(REPO_ROOT, '.cache', 'rendered', `api-versions-${kubernetesMinor}-${statSync(file).size}-${Math.round(statSync(file).mtimeMs)}.json`);
  if (existsSync(cacheFile)) {
    const list = JSON.parse(readFileSync(cacheFile, 'utf8')) as string[];
    builtInCache.set(kubernetesMinor, list);
    return list;
  }
  const definitions = JSON.parse(readFileSync(file, 'utf8')).definitions as Record<string, any>;
  const result = new Set<string>(SERVED_GROUP_VERSIONS_1_28);
  for (const definition of Object.values(definitions)) {
    for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
      const groupVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (
        SERVED_GROUP_VERSIONS_1_28.includes(groupVersion) &&
        !/List$/.test(gvk.kind) &&
        gvk.kind !== 'WatchEvent' &&
        gvk.kind !== 'DeleteOptions' &&
        gvk.kind !== 'Status' &&
        gvk.kind !== 'APIGroup' &&
        gvk.kind !== 'APIResourceList' &&
        gvk.kind !== 'APIGroupList' &&
        gvk.kind !== 'APIVersions'
      ) {
        result.add(`${groupVersion}/${gvk.kind}`);
      }
    }
  }
  const list = [...result].sort();
  builtInCache.set(kubernetesMinor, list);
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(list));
  return list;
}

/** `group/version` and `group/version/Kind` of the pinned CRDs of these API groups (the kinds of schemas.lock.json). */
export function pinnedCrdApiVersions(groups: readonly string[], lock: SchemaLock = readLock()): string[] {
  if (groups.length === 0) return [];
  return lock.kinds.filter((entry) => groups.includes(entry.group)).flatMap((entry) => entry.versions.filter((v) => v.served).flatMap((v) => [`${entry.group}/${v.name}`, `${entry.group}/${v.name}/${entry.kind}`]));
}

/** `group/version` and `group/version/Kind` of every served version of the CRDs among `objects`. */
export function crdApiVersions(objects: readonly KubeObject[]): string[] {
  const result: string[] = [];
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition' || !object.apiVersion.startsWith('apiextensions.k8s.io/')) continue;
    const spec = (object as any).spec;
    for (const version of spec?.versions ?? []) {
      if (version.served === false) continue;
      result.push(`${spec.group}/${version.name}`, `${spec.group}/${version.name}/${spec.names?.kind}`);
    }
  }
  return result;
}
