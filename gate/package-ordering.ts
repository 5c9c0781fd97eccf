import { groupOf } from '../charts/lib/kinds.ts';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../charts/lib/labels.ts';
import { syncOptionsOf, waveOf } from './inventory.ts';
import type { Manifest } from '../charts/lib/manifest.ts';
import type { Rule, RuleContext } from './types.ts';

/** What the rule needs to know of a Crossplane package pin (catalogue `PACKAGES`). */
export interface PackageCrds {
  readonly package: string;
  readonly version: string;
  readonly crdGroups: readonly string[];
}

function skipsDryRun(manifest: Manifest): boolean {
  return syncOptionsOf(manifest).includes('SkipDryRunOnMissingResource=true');
}

/**
 * "A CRD installed by a Provider in an earlier wave" made provable. A Crossplane Provider installs
 * its package's CRDs at runtime, so no chart or manifest carries them; the catalogue declares which
 * API groups each pinned package installs. For every object of such a group the rule requires a
 * Provider of that package, at the pinned version, in the same environment, and:
 * - in the same folder: the object syncs in a later wave than the Provider (Argo CD waits for the
 *   Provider to be healthy, i.e. its package installed) and carries `SkipDryRunOnMissingResource=true`
 *   (Argo CD dry-runs the whole folder before the first wave, when the CRD does not exist yet);
 * - in another folder: that folder's Application syncs in a later root wave than the Provider's.
 * Every Provider must name a pinned package. docs/decisions/0700-crossplane-provider-ordering.md
 */
export function packageOrderingRule(packages: Readonly<Record<string, PackageCrds>>): Rule {
  const pins = Object.values(packages);
  const byGroup = new Map<string, PackageCrds>();
  for (const pin of pins) for (const crdGroup of pin.crdGroups) byGroup.set(crdGroup, pin);
  return {
    name: 'package-crd-ordering',
    check(context: RuleContext) {
      const providers = context.manifests.filter((m) => m.object.apiVersion.startsWith('pkg.crossplane.io/') && m.object.kind === 'Provider');
      for (const provider of providers) {
        const ref = String((provider.object as { spec?: { package?: unknown } }).spec?.package ?? '');
        if (!pins.some((pin) => `${pin.package}:${pin.version}` === ref)) {
          context.report(provider, '/spec/package', `package ${JSON.stringify(ref)} is not a pinned package of the catalogue (PACKAGES); pin it there and use its package:version`);
        }
      }
      const folderWave = (environment: string, folder: string): number | undefined => {
        const app = context.manifests.find((m) => m.environment === environment && m.folder === 'root' && m.object.kind === 'Application' && m.object.metadata.name === `${environment}-${folder}`);
        return app ? waveOf(app) : undefined;
      };
      for (const manifest of context.manifests) {
        const pin = byGroup.get(groupOf(manifest.object.apiVersion));
        if (!pin) continue;
        const ref = `${pin.package}:${pin.version}`;
        const installers = providers.filter((p) => p.environment === manifest.environment && (p.object as { spec?: { package?: unknown } }).spec?.package === ref);
        if (installers.length === 0) {
          context.report(manifest, '/apiVersion', `its CRD is installed by the Crossplane package ${ref}, but no Provider of ${manifest.environment} installs it; add the Provider (or fix the group)`);
          continue;
        }
        const sameFolder = installers.find((p) => p.folder === manifest.folder);
        if (sameFolder) {
          if (waveOf(manifest) <= waveOf(sameFolder)) {
            context.report(
              manifest,
              `/metadata/annotations/${SYNC_WAVE_ANNOTATION.replace('/', '~1')}`,
              `sync wave ${waveOf(manifest)} is not after wave ${waveOf(sameFolder)} of Provider ${sameFolder.object.metadata.name}, which installs its CRD; put it in a later wave`,
            );
          }
          if (!skipsDryRun(manifest)) {
            context.report(
              manifest,
              `/metadata/annotations/${SYNC_OPTIONS_ANNOTATION.replace('/', '~1')}`,
              `its CRD appears only when Provider ${sameFolder.object.metadata.name} is installed, during the sync; add SkipDryRunOnMissingResource=true`,
            );
          }
          continue;
        }
        const own = folderWave(manifest.environment, manifest.folder);
        const earliest = Math.min(...installers.map((p) => folderWave(p.environment, p.folder) ?? Number.POSITIVE_INFINITY));
        if (own === undefined || !(own > earliest)) {
          context.report(
            manifest,
            '/apiVersion',
            `its CRD is installed by Provider ${installers[0]!.object.metadata.name} in folder ${installers[0]!.folder}, whose Application does not sync before this folder's; make this service depend on it`,
          );
        }
      }
    },
  };
}
