import { Construct } from 'constructs';
import { Application, type ApplicationSpecIgnoreDifferences, type ApplicationSpecSource, type ApplicationSpecSyncPolicy } from '../../imports/argocd-application-argoproj.io.ts';
import { ConfigErrors } from './config-errors.ts';
import { setSyncWave } from './sync-wave.ts';

/** A field Argo CD must not compare (nor, with `RespectIgnoreDifferences=true`, overwrite on sync). */
export type IgnoreDifference = ApplicationSpecIgnoreDifferences;

/** The Argo CD escape hatches an Application may use, each one typed and checked. */
export interface ApplicationEscapeHatches {
  /**
   * Differences Argo CD ignores (a field a controller or webhook owns, e.g. a CA bundle injected by
   * cert-manager). Sets `RespectIgnoreDifferences=true` so a sync leaves them alone too.
   * @default none
   */
  readonly ignoreDifferences?: readonly IgnoreDifference[];
  /**
   * Whether deleting the Application deletes what it deployed (Argo CD's resources finalizer).
   * Off for the roots and Argo CD itself (docs/decisions/0604-argocd-escape-hatches.md). @default true
   */
  readonly cascadeDelete?: boolean;
}

export interface ArgoApplicationProps extends ApplicationEscapeHatches {
  /** Application name, unique in the Argo CD namespace (environment-prefixed by callers). */
  readonly name: string;
  /** Namespace of Argo CD on the host. */
  readonly argocdNamespace: string;
  readonly project: string;
  readonly source: ApplicationSpecSource;
  readonly destination: { readonly server: string; readonly namespace?: string };
  /** Wave among the Applications of the environment's root. */
  readonly wave: number;
  /** Argo CD sync options (e.g. `ServerSideApply=true`). */
  readonly syncOptions?: readonly string[];
  /** Labels and annotations Argo CD puts on the namespace it creates (`CreateNamespace=true`). */
  readonly managedNamespaceMetadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  /** Extra labels on the Application itself. */
  readonly labels?: Record<string, string>;
}

/** Argo CD's own finalizer: deleting the Application deletes what it deployed. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * An Argo CD Application with the platform's sync policy: automated, pruning, self-healing,
 * with retries, ordered by a sync wave under `metadata.annotations`.
 */
export class ArgoApplication extends Construct {
  readonly application: Application;
  readonly name: string;

  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    this.name = props.name;
    const ignoreDifferences = props.ignoreDifferences ?? [];
    checkIgnoreDifferences(this, ignoreDifferences);
    const syncOptions = [...(props.syncOptions ?? []), ...(ignoreDifferences.length ? ['RespectIgnoreDifferences=true'] : [])];
    const syncPolicy: ApplicationSpecSyncPolicy = {
      automated: { prune: true, selfHeal: true },
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      ...(syncOptions.length ? { syncOptions: [...new Set(syncOptions)].sort() } : {}),
      ...(props.managedNamespaceMetadata ? { managedNamespaceMetadata: props.managedNamespaceMetadata } : {}),
    };
    this.application = new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace,
        ...((props.cascadeDelete ?? true) ? { finalizers: [RESOURCES_FINALIZER] } : {}),
        ...(props.labels ? { labels: props.labels } : {}),
      },
      spec: {
        project: props.project,
        source: props.source,
        destination: props.destination,
        ...(ignoreDifferences.length ? { ignoreDifferences: [...ignoreDifferences] } : {}),
        syncPolicy,
      },
    });
    setSyncWave(this.application, props.wave);
  }
}

/**
 * An entry must say what to ignore: Argo CD v2.14.21 (`util/argo/normalizers/diff_normalizer.go`)
 * accepts JSON pointers (RFC 6901, so starting with `/`), jq path expressions and field managers.
 */
function checkIgnoreDifferences(scope: Construct, entries: readonly IgnoreDifference[]): void {
  const errors = ConfigErrors.of(scope);
  entries.forEach((entry, index) => {
    const field = `ignoreDifferences[${index}]`;
    errors.check((entry.jsonPointers?.length ?? 0) + (entry.jqPathExpressions?.length ?? 0) + (entry.managedFieldsManagers?.length ?? 0) > 0, {
      field,
      value: entry,
      problem: 'it names no field to ignore',
      fix: 'give jsonPointers, jqPathExpressions or managedFieldsManagers',
    });
    for (const [i, pointer] of (entry.jsonPointers ?? []).entries()) {
      errors.check(pointer.startsWith('/'), { field: `${field}.jsonPointers[${i}]`, value: pointer, problem: 'a JSON pointer starts with "/"', fix: `write "/${pointer.replace(/^[./]+/, '').replaceAll('.', '/')}"` });
    }
  });
  errors.throwIfAny();
}
