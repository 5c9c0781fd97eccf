/**
 * Render-twice comparison: a field that differs between two `helm template` runs with the same
 * input differs between Argo CD's desired state and the live object on every refresh (perpetual
 * OutOfSync; with self-heal, a rewrite on every sync). Covered only by an `ignoreDifferences` entry
 * of the Application (with its reason annotation); anything else is a finding.
 */
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { IGNORE_DIFFERENCES_REASON_ANNOTATION, type HelmApplicationSource, type IgnoreDifference } from './applications.ts';

export interface DeterminismFinding {
  /** `Kind namespace/name` */
  readonly object: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** JSON pointer of the differing field. */
  readonly field: string;
  /** Set when an ignoreDifferences entry matches but the Application gives no reason. */
  readonly needsReason?: boolean;
}

function identity(object: KubeObject): string {
  return `${object.apiVersion.split('/').length > 1 ? object.apiVersion.split('/')[0] : ''}|${object.kind}|${object.metadata?.namespace ?? ''}|${object.metadata?.name}`;
}

const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON pointers of every leaf-most difference. */
export function differingPointers(a: unknown, b: unknown, pointer = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? Array.from({ length: Math.max(a.length, (b as unknown[]).length) }, (_, i) => String(i)) : [...new Set([...Object.keys(a), ...Object.keys(b as object)])].sort();
    return keys.flatMap((key) => differingPointers((a as any)[key], (b as any)[key], `${pointer}/${escapeToken(key)}`));
  }
  return [pointer || '/'];
}

function covers(entry: IgnoreDifference, object: KubeObject, field: string): boolean {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  if ((entry.group ?? '') !== group || entry.kind !== object.kind) return false;
  if (entry.name && entry.name !== object.metadata.name) return false;
  if (entry.namespace && entry.namespace !== object.metadata.namespace) return false;
  // argo-cd v2.14.21 util/argo/normalizers/diff_normalizer.go: a JSON pointer removes that field
  // and everything under it. jqPathExpressions are not modelled: they cover nothing here.
  return (entry.jsonPointers ?? []).some((p) => field === p || field.startsWith(`${p}/`));
}

export function determinismFindings(source: HelmApplicationSource, first: readonly KubeObject[], second: readonly KubeObject[]): DeterminismFinding[] {
  const byId = new Map(second.map((o) => [identity(o), o]));
  const findings: DeterminismFinding[] = [];
  const hasReason = Boolean(source.manifest.object.metadata.annotations?.[IGNORE_DIFFERENCES_REASON_ANNOTATION]);
  for (const object of first) {
    const other = byId.get(identity(object));
    const fields = other ? differingPointers(object, other) : ['/'];
    for (const field of fields) {
      const covered = source.ignoreDifferences.some((entry) => covers(entry, object, field));
      if (covered && hasReason) continue;
      const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
      findings.push({
        object: `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`,
        group,
        kind: object.kind,
        ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
        name: object.metadata.name,
        field,
        ...(covered ? { needsReason: true } : {}),
      });
    }
  }
  return findings;
}
