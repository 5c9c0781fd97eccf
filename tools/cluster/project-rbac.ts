/**
 * An AppProject as RBAC: the service account an Application's resources are applied as holds exactly
 * the kinds its project whitelists, with the verbs Argo CD's sync uses, so the API server itself
 * refuses a Role, ClusterRole or binding that grants more than that (RBAC escalation prevention,
 * k8s.io/kubernetes pkg/registry/rbac/escalation_check.go at v1.28). Argo CD checks the whitelists
 * itself (util/argo/argo.go `ValidatePermissions` at v2.14.21); it has no RBAC of its own to
 * escalate from, which is why this model gives the project none of `escalate`, `bind`, `impersonate`.
 */
import type { KubeObject } from '../../charts/lib/manifest.ts';

/** What gitops-engine's sync and prune call (pkg/sync/sync_context.go, pkg/utils/kube/kubectl.go). */
export const ARGO_SYNC_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

export interface ProjectRbac {
  /** Rules bound cluster-wide: cluster-scoped kinds, and namespaced kinds when every namespace is a destination. */
  readonly clusterRules: PolicyRule[];
  /** Rules bound in each listed namespace only (destinations with named namespaces). */
  readonly namespaceRules: PolicyRule[];
  /** Namespaces the namespaced rules are bound in; `*` means cluster-wide (in clusterRules already). */
  readonly namespaces: string[];
}

/** A whitelist entry's kind → the resource it names: `resourceOf(group, kind)` from discovery; `*` stays `*`. */
export type ResourceResolver = (group: string, kind: string) => string | undefined;

interface GroupKind {
  readonly group?: string;
  readonly kind?: string;
}

function rules(entries: readonly GroupKind[] | undefined, resolve: ResourceResolver, unresolved: string[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const entry of entries ?? []) {
    const group = entry.group ?? '';
    const kind = entry.kind ?? '';
    let resource: string | undefined;
    if (kind === '*') resource = '*';
    else {
      resource = resolve(group, kind);
      if (!resource) {
        unresolved.push(`${group}/${kind}`);
        continue;
      }
    }
    // A whitelisted kind carries its subresources (e.g. status) as Argo CD manages them through the kind.
    const resources = resource === '*' ? ['*'] : [resource, `${resource}/*`];
    out.push({ apiGroups: [group], resources, verbs: [...ARGO_SYNC_VERBS] });
  }
  return out;
}

/**
 * The RBAC of a project's service account in one destination cluster (`server`). Blacklists
 * (`*ResourceBlacklist`) cannot be expressed in RBAC and are reported in `unresolved` when present.
 */
export function projectRbac(project: KubeObject, server: string, resolve: ResourceResolver): ProjectRbac & { unresolved: string[] } {
  const spec = (project as any).spec ?? {};
  const unresolved: string[] = [];
  const clusterRules = rules(spec.clusterResourceWhitelist, resolve, unresolved);
  const namespaced = rules(spec.namespaceResourceWhitelist ?? [{ group: '*', kind: '*' }], resolve, unresolved);
  if (spec.clusterResourceBlacklist?.length || spec.namespaceResourceBlacklist?.length) unresolved.push('resource blacklists (not expressible in RBAC; Argo CD enforces them)');
  const namespaces = [
    ...new Set(((spec.destinations ?? []) as { server?: string; name?: string; namespace?: string }[]).filter((d) => d.server === server || d.server === '*' || d.name === '*').map((d) => d.namespace ?? '*')),
  ].sort();
  const everywhere = namespaces.some((n) => n === '*');
  return {
    clusterRules: everywhere ? [...clusterRules, ...namespaced] : clusterRules,
    namespaceRules: everywhere ? [] : namespaced,
    namespaces: everywhere ? ['*'] : namespaces,
    unresolved,
  };
}

/**
 * Argo CD's built-in project, which it creates itself (never in a dist tree): everything allowed.
 * Argo CD v2.14.21 server/server.go `initializeDefaultProject`: sourceRepos `*`, destinations
 * `*`/`*`, clusterResourceWhitelist `*`/`*`. The hand-applied prod-root lives in it.
 */
export const DEFAULT_PROJECT: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'default', namespace: 'argocd' },
  spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
} as KubeObject;

/** `system:serviceaccount:<ns>:<name>` of the account a project's resources are applied as. */
export const PROJECT_ACCOUNTS_NAMESPACE = 'cluster-test-projects';
export function projectAccount(project: string): { namespace: string; name: string; user: string } {
  const name = `argocd-project-${project}`;
  return { namespace: PROJECT_ACCOUNTS_NAMESPACE, name, user: `system:serviceaccount:${PROJECT_ACCOUNTS_NAMESPACE}:${name}` };
}

/**
 * Grants an Application makes that its project's service account cannot hold (cluster-admin, `*`
 * verbs, non-resource URLs), reviewed one by one: the API server would refuse them as escalation,
 * Argo CD applies them with its own rights. Anything not listed here is refused by the cluster test.
 */
export interface EscalationAllowance {
  readonly project: string;
  /** `Kind name` of the Role, ClusterRole or binding. */
  readonly object: string;
  readonly reason: string;
}

export const ESCALATION_ALLOWANCES: readonly EscalationAllowance[] = [
  {
    project: 'prod',
    object: 'ClusterRoleBinding crossplane-provider-kubernetes',
    reason: 'provider-kubernetes creates arbitrary objects for Crossplane Object resources; upstream installs it bound to cluster-admin (docs/decisions/0700-crossplane-provider-ordering.md)',
  },
];

export function escalationAllowance(project: string, object: KubeObject, allowances: readonly EscalationAllowance[] = ESCALATION_ALLOWANCES): EscalationAllowance | undefined {
  return allowances.find((a) => a.project === project && a.object === `${object.kind} ${object.metadata.name}`);
}
