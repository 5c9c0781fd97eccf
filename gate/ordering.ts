/**
 * Rule `ordering`: what an object needs is there before Argo CD applies it. Every custom resource's
 * CRD arrives in an earlier sync wave (an upstream Application of the environment's root at a lower
 * wave than the folder's Application, a CRD object in an earlier folder, or in the same folder at an
 * earlier wave), or in the same sync with `SkipDryRunOnMissingResource=true`; Argo CD's own CRDs
 * exist from bootstrap. Every object lands after its namespace.
 */
import type { Manifest } from '../charts/lib/manifest.ts';
import { groupOf } from '../charts/lib/kinds.ts';
import { ROOT, inventories, isNamespaced, syncOptionsOf, waveOf, type EnvironmentInventory, type RootApplication } from './inventory.ts';
import { SchemaStore, SchemaStoreError } from './schema-store.ts';
import type { Rule, RuleContext } from './types.ts';

const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

function skipsDryRun(manifest: Manifest, application: RootApplication | undefined): boolean {
  return syncOptionsOf(manifest).includes(SKIP_DRY_RUN) || (application?.syncOptions.includes(SKIP_DRY_RUN) ?? false);
}

function checkCrdOrder(context: RuleContext, inventory: EnvironmentInventory, manifest: Manifest, application: RootApplication): void {
  const { apiVersion, kind } = manifest.object;
  const group = groupOf(apiVersion);
  if (context.facts.bootstrapCrdGroups.includes(group)) return;
  if (context.facts.packageCrdGroups?.includes(group)) return; // proven by package-crd-ordering
  const crd = inventory.crds.get(`${group}/${kind}`);
  if (crd) {
    if (crd.folder === manifest.folder) {
      if (waveOf(crd) < waveOf(manifest) || skipsDryRun(manifest, application)) return;
      // A chart's custom resources with the chart's own CRDs: Argo CD skips the dry run of a resource
      // whose CRD is in the same sync and applies CRDs first (gitops-engine v0.7 pkg/sync/sync_context.go
      // `hasCRDOfGroupKind`, as vendored by argo-cd v2.14.21).
      if (inventory.upstreamApplications.some((a) => a.name === manifest.folder)) return;
      context.report(
        manifest,
        '/metadata/annotations',
        `its CRD ${crd.object.metadata.name} is in the same folder at wave ${waveOf(crd)} and this object is at wave ${waveOf(manifest)}; put it in a later sync wave (setSyncWave) or add ${SKIP_DRY_RUN} (skipDryRunOnMissingResource)`,
      );
      return;
    }
    const crdApplication = inventory.folderApplications.get(crd.folder);
    if (crdApplication && crdApplication.wave < application.wave) return;
    context.report(
      manifest,
      '/kind',
      `its CRD ${crd.object.metadata.name} comes with folder ${crd.folder}/ (wave ${crdApplication?.wave ?? 'unsynced'}), not before this folder's Application ${application.name} (wave ${application.wave}); make this service depend on the one that ships the CRD`,
    );
    return;
  }
  const installers = inventory.upstreamApplications.filter((a) => a.upstream?.crdGroups.includes(group));
  if (installers.some((a) => a.wave < application.wave)) return;
  if (installers.length > 0) {
    context.report(
      manifest,
      '/kind',
      `the CRDs of ${group} are installed by ${installers.map((a) => `${a.name} (wave ${a.wave})`).join(', ')}, not before this folder's Application ${application.name} (wave ${application.wave}); make this service depend on the one that installs them (registry dependsOn)`,
    );
    return;
  }
  context.report(
    manifest,
    '/kind',
    `nothing in ${inventory.name} installs the CRD of ${group}/${kind}: no upstream Application in ${inventory.name}/root/ whose catalogue entry lists ${group} in crdGroups, and no CustomResourceDefinition in the tree; enable the service that installs it`,
  );
}

function checkNamespaceOrder(context: RuleContext, inventory: EnvironmentInventory, manifest: Manifest, application: RootApplication): void {
  const namespace = manifest.object.metadata.namespace;
  if (namespace === undefined || !isNamespaced(inventory, manifest.object.apiVersion, manifest.object.kind)) return;
  const sources = inventory.namespaces.get(namespace);
  if (!sources || sources.length === 0) return; // reported by `references`
  const late: string[] = [];
  for (const source of sources) {
    if (source.kind === 'provided') return;
    if (source.kind === 'object') {
      if (source.manifest.folder === manifest.folder) {
        if (waveOf(source.manifest) <= waveOf(manifest)) return;
        late.push(`Namespace in this folder at wave ${waveOf(source.manifest)} (this object: wave ${waveOf(manifest)})`);
      } else {
        const other = inventory.folderApplications.get(source.manifest.folder);
        if (other && other.wave < application.wave) return;
        late.push(`Namespace in folder ${source.manifest.folder}/ (Application wave ${other?.wave ?? 'unsynced'})`);
      }
    } else {
      if (source.application.wave < application.wave || source.application.name === application.name) return;
      late.push(`Application ${source.application.name} with CreateNamespace=true (wave ${source.application.wave})`);
    }
  }
  context.report(
    manifest,
    '/metadata/namespace',
    `namespace ${namespace} is created after this object: by ${late.join(', ')}, while this folder syncs at wave ${application.wave}; create the namespace earlier (a Namespace at a lower wave, or depend on the service that creates it)`,
  );
}

export function orderingRules(options: { readonly schemasDir?: string } = {}): Rule[] {
  return [
    {
      name: 'ordering',
      check(context: RuleContext) {
        let coreGroups: ReadonlySet<string>;
        try {
          coreGroups = SchemaStore.at(options.schemasDir, context.facts.kubernetesVersion).coreGroups;
        } catch (error) {
          if (error instanceof SchemaStoreError) return; // reported by `schema`
          throw error;
        }
        const unsynced = new Set<string>();
        for (const inventory of inventories(context.manifests, context.facts).values()) {
          for (const manifest of inventory.manifests) {
            const group = groupOf(manifest.object.apiVersion);
            if (manifest.folder === ROOT) {
              if (!coreGroups.has(group) && !context.facts.bootstrapCrdGroups.includes(group)) {
                context.report(manifest, '/kind', `a root holds only Argo CD objects (CRDs from bootstrap); ${manifest.object.kind} belongs in a service folder`);
              }
              continue;
            }
            const application = inventory.folderApplications.get(manifest.folder);
            if (!application) {
              const key = `${inventory.name}/${manifest.folder}`;
              if (!unsynced.has(key)) context.report(manifest, '', `folder ${key}/ is not synced by any Application in ${inventory.name}/root/ (an Application whose source path is ${key})`);
              unsynced.add(key);
              continue;
            }
            if (!coreGroups.has(group)) checkCrdOrder(context, inventory, manifest, application);
            checkNamespaceOrder(context, inventory, manifest, application);
          }
        }
      },
    },
  ];
}
