import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { catalogueCrdGroups } from '../../environments/catalogue.ts';
import { OMNI_ROLES, type ClusterMember, type Environment } from '../../environments/types.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { toYaml, compare } from '../../lib/render.ts';

export interface ClusterAccessProps {
  /** The members who may reach the cluster (charts/environments/cluster-access.ts). */
  readonly members: readonly ClusterMember[];
}

/** Kubernetes group every member with access impersonates; bound to the built-in `view` role. */
export const READER_GROUP = 'reader';
/** Read-only access to the custom resources of every CRD group the catalogue installs. */
export const PLATFORM_RESOURCES_VIEW = 'platform-resources-view';
/** Group of members with the Operator role; bound to the built-in `edit` role. */
export const OPERATOR_GROUP = 'operator';
/** The member's own group, for grants to one person (e.g. their sandbox). */
export function memberGroup(github: string): string {
  return `member:${github.toLowerCase()}`;
}

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const IDENTITY = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Checks the member list; every problem is collected into `errors`. */
export function checkMembers(members: readonly ClusterMember[], errors: ConfigErrors): void {
  const logins = new Map<string, number>();
  const identities = new Map<string, number>();
  members.forEach((member, index) => {
    const field = `members[${index}]`;
    errors.check(typeof member.github === 'string' && GITHUB_LOGIN.test(member.github), {
      field: `${field}.github`,
      value: member.github,
      problem: 'it is not a GitHub login (letters, digits, single dashes, at most 39 characters)',
      fix: "use the member's GitHub login exactly",
    });
    errors.check(typeof member.omniIdentity === 'string' && IDENTITY.test(member.omniIdentity), {
      field: `${field}.omniIdentity`,
      value: member.omniIdentity,
      problem: 'Omni identities are lower-case e-mail addresses',
      fix: 'copy the identity Omni shows under Users for this member',
    });
    errors.check((OMNI_ROLES as readonly string[]).includes(member.role), {
      field: `${field}.role`,
      value: member.role,
      problem: `Omni roles are ${OMNI_ROLES.join(', ')}`,
      fix: 'pick one of those roles',
    });
    const login = String(member.github).toLowerCase();
    const first = logins.get(login);
    errors.check(first === undefined, {
      field: `${field}.github`,
      value: member.github,
      problem: `members[${first}] is the same GitHub user`,
      fix: 'keep one line per member',
    });
    logins.set(login, first ?? index);
    const identity = String(member.omniIdentity);
    const firstIdentity = identities.get(identity);
    errors.check(firstIdentity === undefined, {
      field: `${field}.omniIdentity`,
      value: member.omniIdentity,
      problem: `members[${firstIdentity}] has the same Omni identity`,
      fix: 'keep one line per member',
    });
    identities.set(identity, firstIdentity ?? index);
  });
}

/**
 * The Kubernetes side of cluster access: what the groups Omni impersonates may do. `reader` sees
 * everything but Secrets (built-in `view`), `operator` may change workloads (built-in `edit`);
 * Omni's own Operator and Admin roles add `system:masters` on top (docs/decisions/0005-cluster-access.md).
 */
export class ClusterAccess extends Construct {
  constructor(scope: PlatformChart, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const errors = ConfigErrors.of(this);
    checkMembers(props.members, errors);
    errors.throwIfAny();
    const bind = (name: string, group: string, role: string) =>
      new k8s.KubeClusterRoleBinding(this, name, {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      });
    bind('cluster-access-reader-view', READER_GROUP, 'view');
    // `view` covers built-in kinds only: readers also see the platform's custom resources (Gateways,
    // Meshes, DiskPools, Applications …). None of these kinds holds secret material.
    new k8s.KubeClusterRole(this, 'PlatformResourcesView', {
      metadata: { name: PLATFORM_RESOURCES_VIEW },
      rules: [{ apiGroups: catalogueCrdGroups(), resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    });
    bind('cluster-access-reader-platform-resources', READER_GROUP, PLATFORM_RESOURCES_VIEW);
    bind('cluster-access-operator-edit', OPERATOR_GROUP, 'edit');
  }
}

/** Kubernetes groups Omni impersonates for one member. */
export function impersonatedGroups(member: ClusterMember): string[] {
  if (member.role === 'None') return [];
  return [READER_GROUP, ...(member.role === 'Operator' ? [OPERATOR_GROUP] : []), memberGroup(member.github)];
}

/**
 * The Omni AccessPolicy: one document, one rule per member on the cluster, and one test per member
 * that Omni runs when the policy is applied (a wrong policy is refused by Omni itself).
 */
export function omniAccessPolicy(clusterName: string, members: readonly ClusterMember[]): object {
  const sorted = [...members].sort((a, b) => compare(a.omniIdentity, b.omniIdentity));
  const access = (member: ClusterMember) => {
    const groups = impersonatedGroups(member);
    return groups.length > 0 ? { role: member.role, kubernetes: { impersonate: { groups } } } : { role: member.role };
  };
  return {
    metadata: { namespace: 'default', type: 'AccessPolicies.omni.sidero.dev', id: 'access-policy' },
    spec: {
      rules: sorted.map((member) => ({ users: [member.omniIdentity], clusters: [clusterName], ...access(member) })),
      tests: sorted.map((member) => ({
        name: `${member.github} is ${member.role} on ${clusterName}`,
        user: { name: member.omniIdentity },
        cluster: { name: clusterName },
        expected: member.role === 'None' ? { role: 'None', kubernetes: { impersonate: { groups: [] } } } : access(member),
      })),
    },
  };
}

/** Extra output: dist/omni/access-policy.yaml from the environment that runs `cluster-access`. */
export function omniAccessPolicyFiles(environments: readonly Environment[]): { path: string; content: string }[] {
  return environments.flatMap((environment) => {
    const settings = environment.services['cluster-access'];
    if (!settings) return [];
    const errors = new ConfigErrors(environment.name, 'cluster-access/ClusterAccess');
    checkMembers(settings.members, errors);
    errors.throwIfAny();
    const header = '# Generated by `npm run synth` from charts/environments/cluster-access.ts — do not edit.\n' + '# Apply with: omnictl apply -f dist/omni/access-policy.yaml\n';
    return [{ path: 'omni/access-policy.yaml', content: header + toYaml(omniAccessPolicy(environment.platform.omni.clusterName, settings.members)) }];
  });
}
