/**
 * Rule `reference-ordering`: what a pod needs (Secrets, ConfigMaps, its ServiceAccount, PVCs) is
 * created no later than the pod. Argo CD syncs the Applications of a root wave by wave and waits for
 * each wave to be healthy; a pod whose Secret only appears at a later wave never starts, its
 * Application never turns healthy, and the later wave never comes (a deadlock). Inside one
 * Application, objects of a lower or equal wave come first (equal: Argo CD applies Secrets and
 * ConfigMaps before workloads, argo-cd v2.14.21 gitops-engine pkg/sync/syncwaves + kind order).
 * Whether the referenced object exists at all is the `references` rule's job.
 */
import type { Manifest } from '../charts/lib/manifest.ts';
import { groupOf } from '../charts/lib/kinds.ts';
import { ROOT, inventories, waveOf, writesSecret, type EnvironmentInventory } from './inventory.ts';
import { podSpecs } from './schema-rule.ts';
import type { Rule, RuleContext } from './types.ts';

interface Creator {
  readonly manifest: Manifest;
  readonly what: string;
}

/** Objects of the environment that create a Secret / ConfigMap / ServiceAccount / PVC of that name. */
function creators(inventory: EnvironmentInventory, kind: string, namespace: string, name: string): Creator[] {
  const found: Creator[] = [];
  for (const manifest of inventory.manifests) {
    if (manifest.folder === ROOT) continue;
    const object = manifest.object as any;
    if (object.metadata.namespace !== namespace) continue;
    const group = groupOf(object.apiVersion);
    const label = `${object.kind} ${namespace}/${object.metadata.name}`;
    if ((group === '' && object.kind === kind && object.metadata.name === name) || (kind === 'Secret' && writesSecret(object, name))) found.push({ manifest, what: label });
  }
  return found;
}

/** [kind, name, pointer] of everything a pod spec needs (optional references excluded). */
export function podNeeds(spec: any, base: string): [string, string, string][] {
  const needs: [string, string, string][] = [];
  if (!spec) return needs;
  if (spec.serviceAccountName && spec.serviceAccountName !== 'default') needs.push(['ServiceAccount', spec.serviceAccountName, `${base}/serviceAccountName`]);
  (spec.imagePullSecrets ?? []).forEach((ref: any, i: number) => {
    if (ref?.name) needs.push(['Secret', ref.name, `${base}/imagePullSecrets/${i}/name`]);
  });
  (spec.volumes ?? []).forEach((volume: any, i: number) => {
    const at = `${base}/volumes/${i}`;
    if (volume.secret && !volume.secret.optional) needs.push(['Secret', volume.secret.secretName, `${at}/secret/secretName`]);
    if (volume.configMap && !volume.configMap.optional) needs.push(['ConfigMap', volume.configMap.name, `${at}/configMap/name`]);
    if (volume.persistentVolumeClaim) needs.push(['PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, `${at}/persistentVolumeClaim/claimName`]);
    (volume.projected?.sources ?? []).forEach((source: any, j: number) => {
      if (source.secret && !source.secret.optional) needs.push(['Secret', source.secret.name, `${at}/projected/sources/${j}/secret/name`]);
      if (source.configMap && !source.configMap.optional && source.configMap.name !== 'kube-root-ca.crt') needs.push(['ConfigMap', source.configMap.name, `${at}/projected/sources/${j}/configMap/name`]);
    });
  });
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((container: any, i: number) => {
      const at = `${base}/${list}/${i}`;
      (container.env ?? []).forEach((variable: any, j: number) => {
        const from = variable.valueFrom;
        if (from?.secretKeyRef && !from.secretKeyRef.optional) needs.push(['Secret', from.secretKeyRef.name, `${at}/env/${j}/valueFrom/secretKeyRef/name`]);
        if (from?.configMapKeyRef && !from.configMapKeyRef.optional) needs.push(['ConfigMap', from.configMapKeyRef.name, `${at}/env/${j}/valueFrom/configMapKeyRef/name`]);
      });
      (container.envFrom ?? []).forEach((source: any, j: number) => {
        if (source.secretRef && !source.secretRef.optional) needs.push(['Secret', source.secretRef.name, `${at}/envFrom/${j}/secretRef/name`]);
        if (source.configMapRef && !source.configMapRef.optional) needs.push(['ConfigMap', source.configMapRef.name, `${at}/envFrom/${j}/configMapRef/name`]);
      });
    });
  }
  return needs.filter(([, name]) => typeof name === 'string' && name.length > 0);
}

function check(context: RuleContext, inventory: EnvironmentInventory, manifest: Manifest): void {
  const application = inventory.folderApplications.get(manifest.folder);
  const namespace = manifest.object.metadata.namespace;
  if (!application || !namespace) return;
  for (const [base, spec] of podSpecs(manifest.object)) {
    for (const [kind, name, pointer] of podNeeds(spec, base)) {
      const found = creators(inventory, kind, namespace, name);
      if (found.length === 0) continue; // provided by a chart, the host or bootstrap, or missing (rule `references`)
      const timely = found.some((creator) => {
        if (creator.manifest.folder === manifest.folder) return waveOf(creator.manifest) <= waveOf(manifest);
        const other = inventory.folderApplications.get(creator.manifest.folder);
        return other !== undefined && other.wave <= application.wave;
      });
      if (timely) continue;
      const where = found
        .map((creator) => {
          if (creator.manifest.folder === manifest.folder) return `${creator.what} in the same Application at wave ${waveOf(creator.manifest)}`;
          const other = inventory.folderApplications.get(creator.manifest.folder);
          return `${creator.what} in ${inventory.name}/${creator.manifest.folder}/ (Application ${other?.name ?? 'none'}, wave ${other?.wave ?? 'unsynced'})`;
        })
        .join(', ');
      context.report(
        manifest,
        pointer,
        `${kind} ${namespace}/${name} is created only by ${where}, after this pod's Application ${application.name} (wave ${application.wave}${waveOf(manifest) ? `, object wave ${waveOf(manifest)}` : ''}): the pod cannot start, the Application never turns healthy and the later wave never syncs; sync the consumer after what creates it`,
      );
    }
  }
}

export const referenceOrderingRule: Rule = {
  name: 'reference-ordering',
  check(context) {
    for (const inventory of inventories(context.manifests, context.facts).values()) {
      for (const manifest of inventory.manifests) {
        if (manifest.folder === 'root' || podSpecs(manifest.object).length === 0) continue;
        context.count('reference-ordering: pod templates checked');
        check(context, inventory, manifest);
      }
    }
  },
};
