/**
 * The one version catalogue: every upstream chart, image and manifest release the platform installs.
 * Nothing is pinned anywhere else; a version bump is one edit here (and a decision record when it is
 * not a patch). Chart versions are the releases that ship the application versions whose CRDs are in
 * ../shared/schemas (see docs/decisions/0002-version-catalogue.md).
 */

/** A Helm chart at a pinned version, installed by an Argo CD Application. */
export interface ChartPin {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  /** The application version the chart ships (what the schemas were taken from). */
  readonly appVersion: string;
  /** API groups whose CRDs the chart installs: lets the gate prove custom resources come after it. */
  readonly crdGroups: readonly string[];
}

/** Upstream manifests in a git repository at a pinned tag, installed by an Argo CD Application. */
export interface ManifestPin {
  readonly repoURL: string;
  readonly tag: string;
  readonly path: string;
  /** Only these files of `path` (Argo CD directory include glob). */
  readonly include?: string;
  readonly crdGroups: readonly string[];
}

/** A container image at a pinned tag. */
export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
}

export const CHARTS = {
  certManager: {
    repoURL: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    version: 'v1.16.5',
    appVersion: 'v1.16.5',
    crdGroups: ['cert-manager.io', 'acme.cert-manager.io'],
  },
} as const satisfies Record<string, ChartPin>;

export const MANIFESTS = {} as const satisfies Record<string, ManifestPin>;

export const IMAGES = {} as const satisfies Record<string, ImagePin>;

export type ChartKey = keyof typeof CHARTS;

/** `repository:tag` of a pinned image. */
export function imageRef(image: ImagePin): string {
  return `${image.repository}:${image.tag}`;
}
