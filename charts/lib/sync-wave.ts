import type { ApiObject } from 'cdk8s';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from './labels.ts';

/**
 * Waves inside one Argo CD Application (one service folder). Services are ordered between each
 * other by the root Applications' waves, derived from the service registry (see service-waves.ts).
 */
export const Wave = {
  /** Namespaces, ServiceAccounts and RBAC that other objects of the folder need. */
  FOUNDATION: -1,
  /** The default: most objects. */
  DEFAULT: 0,
  /** Custom resources whose CRD is created by an earlier object of the same sync. */
  AFTER_CRDS: 1,
  /** Objects that need the custom resources above (e.g. a ProviderConfig after its Provider). */
  AFTER_CUSTOM_RESOURCES: 2,
} as const;

/** Writes the Argo CD sync wave where Argo CD reads it: `metadata.annotations`, never labels. */
export function setSyncWave(object: ApiObject, wave: number): void {
  if (!Number.isInteger(wave)) throw new Error(`sync wave must be an integer, got ${wave}`);
  object.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
}

/** Adds Argo CD sync options to one object, keeping any already there, sorted and without duplicates. */
export function addSyncOptions(object: ApiObject, ...options: string[]): void {
  const existing = (object.metadata.toJson().annotations as Record<string, string> | undefined)?.[SYNC_OPTIONS_ANNOTATION];
  const all = new Set([...(existing ? existing.split(',') : []), ...options]);
  object.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, [...all].sort().join(','));
}

/** Marks a custom resource whose CRD arrives in the same sync (Argo CD skips its dry run). */
export function skipDryRunOnMissingResource(object: ApiObject): void {
  addSyncOptions(object, 'SkipDryRunOnMissingResource=true');
}
