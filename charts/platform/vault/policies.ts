/**
 * Vault policies and the password policy of the platform, as HCL. The vault-config-operator
 * replaces `${auth/<mount>/@accessor}` with the accessor of that auth mount, so the templated
 * policies need no value read from a running Vault.
 */

/** `{{identity.entity.aliases.<accessor>.metadata.<key>}}` for the Kubernetes auth mount `mount`. */
function aliasMetadata(mount: string, key: 'service_account_namespace' | 'service_account_name'): string {
  return `{{identity.entity.aliases.\${auth/${mount}/@accessor}.metadata.${key}}}`;
}

/** `<namespace>/<service account>` of the caller, as a Vault path template. */
export function callerScope(mount: string): string {
  return `${aliasMetadata(mount, 'service_account_namespace')}/${aliasMetadata(mount, 'service_account_name')}`;
}

/** Read what the caller's own service account owns on the workloads mount. */
export function secretReaderPolicy(kvMount: string, authMount: string): string {
  const scope = callerScope(authMount);
  return [
    `# Read kv/<caller namespace>/<caller service account>/… (templated on the auth mount ${authMount}).`,
    `path "${kvMount}/data/${scope}/*" {`,
    '  capabilities = ["read"]',
    '}',
    `path "${kvMount}/metadata/${scope}/*" {`,
    '  capabilities = ["read", "list"]',
    '}',
    '',
  ].join('\n');
}

/** Write (and read back) what the caller's own service account owns on the workloads mount. */
export function secretWriterPolicy(kvMount: string, authMount: string): string {
  const scope = callerScope(authMount);
  return [
    `# Manage kv/<caller namespace>/<caller service account>/… (templated on the auth mount ${authMount}).`,
    `path "${kvMount}/data/${scope}/*" {`,
    '  capabilities = ["create", "read", "update", "delete"]',
    '}',
    `path "${kvMount}/metadata/${scope}/*" {`,
    '  capabilities = ["read", "list", "delete"]',
    '}',
    `path "${kvMount}/delete/${scope}/*" {`,
    '  capabilities = ["update"]',
    '}',
    `path "${kvMount}/undelete/${scope}/*" {`,
    '  capabilities = ["update"]',
    '}',
    '',
  ].join('\n');
}

/** Read every secret of the platform's own mount (External Secrets' controller only). */
export function systemReaderPolicy(systemMount: string): string {
  return [
    `# Read the platform's own secrets (${systemMount}); bound to External Secrets' controller only.`,
    `path "${systemMount}/data/*" {`,
    '  capabilities = ["read"]',
    '}',
    `path "${systemMount}/metadata/*" {`,
    '  capabilities = ["read", "list"]',
    '}',
    '',
  ].join('\n');
}

/** What the configuration identity may manage, by name (everything else is refused by Vault). */
export interface ConfigAdminScope {
  /** The auth mounts' parent path (`cluster` for `auth/cluster/<env>`). */
  readonly clusterAuthParent: string;
  /** The ACL policies it writes; never its own (it could grant itself anything). */
  readonly policies: readonly string[];
  /** The secret engine mounts it creates and tunes. */
  readonly mounts: readonly string[];
  /** The password policies it writes. */
  readonly passwordPolicies: readonly string[];
}

/**
 * What the vault-config-operator needs to apply the declarative configuration, by name: the
 * platform's mounts, its auth mounts, its policies (not its own), its password policies and the roles
 * of the cluster auth mounts, whose `policies` may only name the platform's policies. So it can
 * neither write a new policy nor bind one (e.g. `root`, or its own) to a role: not an effective root
 * (docs/decisions/0906-least-privilege.md). It cannot read any secret. List parameters are checked
 * element by element (vault v1.18 vault/acl.go, valueInParameterList).
 */
export function configAdminPolicy(scope: ConfigAdminScope): string {
  const crud = '["create", "read", "update", "delete", "list"]';
  const parent = scope.clusterAuthParent;
  const bindable = JSON.stringify([...scope.policies].sort());
  return [
    '# The declarative configuration (vault-config-operator), by name; no access to secret data.',
    'path "sys/auth" {',
    '  capabilities = ["read"]',
    '}',
    '# enabling an auth method needs sudo: only the cluster auth mounts',
    `path "sys/auth/${parent}/*" {`,
    '  capabilities = ["create", "read", "update", "delete", "sudo"]',
    '}',
    'path "sys/mounts" {',
    '  capabilities = ["read"]',
    '}',
    ...scope.mounts.flatMap((mount) => [`path "sys/mounts/${mount}" {`, '  capabilities = ["create", "read", "update", "delete"]', '}', `path "sys/mounts/${mount}/tune" {`, '  capabilities = ["read", "update"]', '}']),
    ...scope.policies.flatMap((policy) => [`path "sys/policies/acl/${policy}" {`, `  capabilities = ${crud}`, '}']),
    ...scope.passwordPolicies.flatMap((policy) => [`path "sys/policies/password/${policy}" {`, `  capabilities = ${crud}`, '}']),
    `path "auth/${parent}/+/config" {`,
    '  capabilities = ["create", "read", "update", "delete"]',
    '}',
    `# roles may bind only the platform's policies`,
    `path "auth/${parent}/+/role/*" {`,
    `  capabilities = ${crud}`,
    '  allowed_parameters = {',
    `    "policies" = ${bindable}`,
    `    "token_policies" = ${bindable}`,
    '    "*" = []',
    '  }',
    '}',
    '',
  ].join('\n');
}

export interface PasswordRules {
  readonly length: number;
  /** Character sets of which at least one character must appear. */
  readonly charsets: readonly string[];
}

/** 20 characters with at least one lower-case letter, upper-case letter, digit and symbol. */
export const PLATFORM_PASSWORD_RULES: PasswordRules = {
  length: 20,
  charsets: ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', '!#%*+-.:=?@^_~'],
};

/** Vault password policy HCL (one `rule "charset"` per required character class). */
export function passwordPolicy(rules: PasswordRules): string {
  return [`length = ${rules.length}`, ...rules.charsets.flatMap((charset) => ['', 'rule "charset" {', `  charset = ${JSON.stringify(charset)}`, '  min-chars = 1', '}']), ''].join('\n');
}

/** Vault's API path of a raft snapshot (`vault operator raft snapshot save` reads it). */
export const RAFT_SNAPSHOT_PATH = 'sys/storage/raft/snapshot';

/** Take raft snapshots, nothing else: the backup job's whole authority in Vault. */
export function raftSnapshotPolicy(): string {
  return ['# Read a raft snapshot (vault operator raft snapshot save); no secret, no configuration.', `path "${RAFT_SNAPSHOT_PATH}" {`, '  capabilities = ["read"]', '}', ''].join('\n');
}
