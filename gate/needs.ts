/**
 * Rule `needs`: what an object declares it needs (annotation `platform.cedille.club/needs`, see
 * charts/lib/needs.ts) exists in its environment and is applied no later than the object: in the
 * same folder at the same or an earlier sync wave, or in a folder whose Application syncs in an
 * earlier root wave. A backup job whose bucket, Vault role or credentials Secret comes later (or
 * never) fails its first runs; the gate says so before Argo CD does.
 */
import { NEEDS_ANNOTATION, formatNeed, parseNeed, type Need } from '../charts/lib/needs.ts';
import type { Manifest } from '../charts/lib/manifest.ts';
import { ROOT, describeObject, inventories, lookup, providedKey, waveOf, writesSecret, type EnvironmentInventory } from './inventory.ts';
import type { Rule } from './types.ts';

const POINTER = `/metadata/annotations/${NEEDS_ANNOTATION.replace('/', '~1')}`;

/** Objects that make what is needed: the object itself, or for a Secret whatever writes it. */
function producers(inventory: EnvironmentInventory, need: Need): Manifest[] {
  const direct = lookup(inventory, need.group, need.kind, need.namespace, need.name);
  if (need.kind !== 'Secret' || need.group !== '') return direct;
  const writers = inventory.manifests.filter((manifest) => manifest.folder !== ROOT && manifest.object.metadata.namespace === need.namespace && writesSecret(manifest.object, need.name));
  return [...direct, ...writers];
}

export const needsRule: Rule = {
  name: 'needs',
  check(context) {
    for (const inventory of inventories(context.manifests, context.facts).values()) {
      for (const manifest of inventory.manifests) {
        const annotation = manifest.object.metadata.annotations?.[NEEDS_ANNOTATION];
        if (annotation === undefined || manifest.folder === ROOT) continue;
        const application = inventory.folderApplications.get(manifest.folder);
        for (const text of annotation.split(',')) {
          const need = parseNeed(text);
          if (!need) {
            context.report(manifest, POINTER, `${JSON.stringify(text)} is not Kind[.group]/[namespace/]name (e.g. Secret/vault/backups-gcs)`);
            continue;
          }
          const label = formatNeed(need);
          if (inventory.provided.has(providedKey(need.kind, need.namespace, need.name))) continue;
          const found = producers(inventory, need);
          if (found.length === 0) {
            context.report(manifest, POINTER, `needs ${label}, which nothing in ${inventory.name} creates; create it, or fix the name`);
            continue;
          }
          const inTime = found.some((producer) => {
            if (producer.folder === manifest.folder) return waveOf(producer) <= waveOf(manifest);
            const other = inventory.folderApplications.get(producer.folder);
            return other !== undefined && application !== undefined && other.wave < application.wave;
          });
          if (inTime) continue;
          const when = found
            .map((producer) =>
              producer.folder === manifest.folder
                ? `${describeObject(producer.object)} at wave ${waveOf(producer)} of this folder (this object: wave ${waveOf(manifest)})`
                : `${describeObject(producer.object)} in folder ${producer.folder}/ (Application wave ${inventory.folderApplications.get(producer.folder)?.wave ?? 'unsynced'}; this folder: ${application?.wave ?? 'unsynced'})`,
            )
            .join(', ');
          context.report(manifest, POINTER, `needs ${label}, which is applied after it: ${when}; move it to an earlier wave or make this service depend on the one that creates it`);
        }
      }
    }
  },
};
