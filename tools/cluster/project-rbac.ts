/**
 * An AppProject as RBAC: the service account an Application's resources are applied as holds what
 * Argo CD would let the project do, so the API server itself refuses a Role, ClusterRole or binding
 * that grants more than that (RBAC escalation prevention, k8s.io/kubernetes
 * pkg/registry/rbac/escalation_check.go at v1.28). Argo CD applies with its application
 * controller's own account, which the argo-cd chart binds to every verb on every resource and every
 * non-resource URL (ClusterRole `argocd-application-controller`), and checks only group/kind and
 * destination against the project (util/argo/argo.go `ValidatePermissions`, v2.14.21): a project
 * restricts kinds and places, never verbs (docs/decisions/0811-appproject-as-rbac.md).
 */
import type { KubeObject } from '../../charts/lib/manifest.ts';

/** Every verb but `escalate`, `bind` and `impersonate`, for the role kinds of a project that cannot bind (see `projectRbac`). */
export const ROLE_VERBS_WITHOUT_ESCALATION = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

export interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly nonResourceURLs?: string[];
  readonly verbs: string[];
}

/** Argo CD's application controller's ClusterRole in the argo-cd chart: everything. */
export const FULL_AUTHORITY: readonly PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

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

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Whether a whitelist permits a kind (`*` matches any group or kind, as Argo CD's `IsGroupKindPermitted`). */
export function permits(entries: readonly GroupKind[] | undefined, group: string, kind: string): boolean {
  return (entries ?? []).some((e) => (e.group === '*' || (e.group ?? '') === group) && (e.kind === '*' || e.kind === kind));
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
    // A project that may write roles but not bind them holds them without `escalate` and `bind`:
    // a role it writes grants nothing beyond what the project manages (aggregation labels can fold a
    // ClusterRole into bound roles such as `admin`), which is the escalation this model catches.
    const roleKind = (group === RBAC_GROUP || group === '*') && (kind === 'Role' || kind === 'ClusterRole');
    out.push({ apiGroups: [group], resources, verbs: roleKind ? [...ROLE_VERBS_WITHOUT_ESCALATION] : ['*'] });
  }
  return out;
}

/**
 * The RBAC of a project's service account in one destination cluster (`server`): every verb on each
 * whitelisted kind. Where the project may create bindings it holds everything in that scope, since
 * through Argo CD it can bind `cluster-admin` there (a ClusterRoleBinding cluster-wide, a RoleBinding
 * in its destination namespaces). Blacklists (`*ResourceBlacklist`) cannot be expressed in RBAC and
 * are reported in `unresolved` when present.
 */
export function projectRbac(project: KubeObject, server: string, resolve: ResourceResolver): ProjectRbac & { unresolved: string[] } {
  const spec = (project as any).spec ?? {};
  const unresolved: string[] = [];
  const namespaceWhitelist: GroupKind[] = spec.namespaceResourceWhitelist ?? [{ group: '*', kind: '*' }];
  const clusterRules = permits(spec.clusterResourceWhitelist, RBAC_GROUP, 'ClusterRoleBinding') ? [...FULL_AUTHORITY] : rules(spec.clusterResourceWhitelist, resolve, unresolved);
  const namespaced = permits(namespaceWhitelist, RBAC_GROUP, 'RoleBinding') ? [FULL_AUTHORITY[0]!] : rules(namespaceWhitelist, resolve, unresolved);
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
