/**
 * "This object does its work only once these exist": the objects a job or workload uses by name
 * where no field of a known kind points at them (a bucket named in a script, a Vault role it logs
 * in with, the Secret it mounts). Written as an annotation so the validation gate can prove each one
 * exists in the environment and is applied no later than the object (docs/decisions/0951-declared-needs.md).
 */
export const NEEDS_ANNOTATION = 'platform.cedille.club/needs';

export interface Need {
  /** `''` for the core group. */
  readonly group: string;
  readonly kind: string;
  /** Undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
}

/** `Kind[.group]/[namespace/]name`: `Secret/vault/backups-gcs`, `Bucket.storage.gcp.upbound.io/cedille-backups`. */
export function formatNeed(need: Need): string {
  return `${need.kind}${need.group ? `.${need.group}` : ''}/${need.namespace ? `${need.namespace}/` : ''}${need.name}`;
}

/** The inverse of formatNeed; undefined when the text is not of that form. */
export function parseNeed(text: string): Need | undefined {
  const match = /^([A-Z][A-Za-z0-9]*)(?:\.([a-z0-9.-]+))?\/(?:([a-z0-9-]+)\/)?([a-z0-9][a-z0-9.-]*)$/.exec(text.trim());
  if (!match) return undefined;
  const [, kind, group, namespace, name] = match;
  return { group: group ?? '', kind: kind!, ...(namespace ? { namespace } : {}), name: name! };
}

/** The annotation's value: the needs, formatted, sorted, comma-separated. */
export function needsAnnotation(needs: readonly Need[]): string {
  return [...new Set(needs.map(formatNeed))].sort().join(',');
}
