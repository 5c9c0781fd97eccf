import { Construct } from 'constructs';
import {
  Application,
  type ApplicationSpecSource,
  type ApplicationSpecSyncPolicy,
} from '../../imports/argocd-application-argoproj.io.ts';
import { setSyncWave } from './sync-wave.ts';

export interface ArgoApplicationProps {
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
  /** Fields Argo CD does not compare (Application `spec.ignoreDifferences`). */
  readonly ignoreDifferences?: readonly { group?: string; kind: string; name?: string; namespace?: string; jsonPointers: string[] }[];
  /** Why those fields are ignored (annotation read by `npm run render`, required with ignoreDifferences). */
  readonly ignoreDifferencesReason?: string;
}

/** Annotation carrying the reason of an Application's ignoreDifferences (tools/render/applications.ts reads it). */
export const IGNORE_DIFFERENCES_REASON_ANNOTATION = 'platform.cedille.club/ignore-differences-reason';

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
    const syncPolicy: ApplicationSpecSyncPolicy = {
      automated: { prune: true, selfHeal: true },
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      ...(props.syncOptions?.length ? { syncOptions: [...new Set(props.syncOptions)].sort() } : {}),
      ...(props.managedNamespaceMetadata ? { managedNamespaceMetadata: props.managedNamespaceMetadata } : {}),
    };
    this.application = new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace,
        finalizers: [RESOURCES_FINALIZER],
        ...(props.labels ? { labels: props.labels } : {}),
        ...(props.ignoreDifferencesReason ? { annotations: { [IGNORE_DIFFERENCES_REASON_ANNOTATION]: props.ignoreDifferencesReason } } : {}),
      },
      spec: {
        project: props.project,
        source: props.source,
        destination: props.destination,
        syncPolicy,
        ...(props.ignoreDifferences?.length ? { ignoreDifferences: props.ignoreDifferences.map((entry) => ({ ...entry })) } : {}),
      },
    });
    setSyncWave(this.application, props.wave);
  }
}
