import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../../environments/types.ts';
import type { ConfigErrors } from '../../lib/config-errors.ts';
import { daysUntil, isIsoDate } from '../../lib/dates.ts';
import { isDnsLabel } from '../../lib/names.ts';
import { MESH_NAME_LABEL } from '../../lib/namespace.ts';
import type { MeshProps, PermissiveMigration } from './mesh.ts';

/** Kuma's system namespace, where mesh-wide policies live (kept here too to avoid an import cycle). */
const KUMA_SYSTEM = 'kuma-system';
/** Kuma's dataplane tag carrying the pod's namespace. */
export const KUMA_NAMESPACE_TAG = 'k8s.kuma.io/namespace';

/**
 * The fields of `kuma.io/v1alpha1` MeshTLS we set, nothing else. Not a generated type: the pinned
 * schemas carry 11 of Kuma 2.9.19's CRDs and MeshTLS is not among them, so the kind is listed in
 * SCHEMALESS_KINDS (the gate reports it as skipped). Shape checked against kumahq/kuma
 * pkg/plugins/policies/meshtls/api/v1alpha1/meshtls.go (the 2.9 `from[]` form: `targetRef`, and per
 * `from` entry a `targetRef` and `default.mode` ∈ Strict | Permissive).
 */
export interface MeshTlsSpec {
  readonly targetRef: { readonly kind: 'MeshSubset'; readonly tags: Readonly<Record<string, string>> };
  readonly from: readonly { readonly targetRef: { readonly kind: 'Mesh' }; readonly default: { readonly mode: 'Permissive' | 'Strict' } }[];
}

export interface MeshTlsProps {
  readonly mesh: string;
  readonly migration: PermissiveMigration;
}

/** One namespace's sidecars accept plaintext inbound (Permissive) inside an otherwise STRICT mesh. */
export class MeshTls extends ApiObject {
  static readonly GVK = { apiVersion: 'kuma.io/v1alpha1', kind: 'MeshTLS' } as const;

  constructor(scope: Construct, id: string, props: MeshTlsProps) {
    const spec: MeshTlsSpec = {
      targetRef: { kind: 'MeshSubset', tags: { [KUMA_NAMESPACE_TAG]: props.migration.namespace } },
      from: [{ targetRef: { kind: 'Mesh' }, default: { mode: 'Permissive' } }],
    };
    super(scope, id, {
      ...MeshTls.GVK,
      metadata: {
        name: `${props.mesh}-permissive-${props.migration.namespace}`,
        namespace: KUMA_SYSTEM,
        labels: { [MESH_NAME_LABEL]: props.mesh },
        annotations: { 'platform.cedille.club/permissive-until': props.migration.until, 'platform.cedille.club/reason': props.migration.reason },
      },
      spec,
    });
  }
}

/** Each migration names a namespace once, with a real date and a reason. */
export function checkPermissiveMigrations(migrations: readonly PermissiveMigration[], field: string, errors: ConfigErrors): void {
  const seen = new Set<string>();
  migrations.forEach((migration, index) => {
    errors.check(isDnsLabel(migration.namespace) && !seen.has(migration.namespace), {
      field: `${field}[${index}].namespace`,
      value: migration.namespace,
      problem: seen.has(migration.namespace) ? 'this namespace is already listed' : 'it is not a namespace name',
      fix: 'name each meshed namespace once',
    });
    seen.add(migration.namespace);
    errors.check(isIsoDate(migration.until), {
      field: `${field}[${index}].until`,
      value: migration.until,
      problem: 'a PERMISSIVE migration is dated: write its last day YYYY-MM-DD',
      fix: 'write e.g. "2027-03-31"',
    });
    errors.check(typeof migration.reason === 'string' && migration.reason.trim().length > 0, {
      field: `${field}[${index}].reason`,
      value: migration.reason,
      problem: 'say which unmeshed callers still need plaintext',
      fix: 'write the reason, and what ends the migration',
    });
  });
}

/** Synth warning for every PERMISSIVE migration whose date is past. */
export function meshMigrationWarnings(environments: readonly Environment[], today: string): string[] {
  return environments.flatMap((environment) => {
    const settings = (environment.services as { mesh?: MeshProps }).mesh;
    return (settings?.meshes ?? []).flatMap((mesh, meshIndex) =>
      (mesh.permissiveNamespaces ?? []).flatMap((migration, index) =>
        daysUntil(migration.until, today) < 0
          ? [
              `${environment.name} › mesh: namespace ${migration.namespace} still accepts plaintext in mesh ${mesh.name} (PERMISSIVE migration) past its date ${migration.until} (${migration.reason}); ` +
                `mesh its callers and remove services.mesh.meshes[${meshIndex}].permissiveNamespaces[${index}], or set a new date`,
            ]
          : [],
      ),
    );
  });
}
