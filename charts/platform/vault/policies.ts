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

/**
 * What the vault-config-operator needs to apply the declarative configuration: mounts, auth
 * mounts, policies, password policies and the roles of the cluster auth mounts. It cannot read
 * any secret.
 */
export function configAdminPolicy(clusterAuthParent: string): string {
  const crud = '["create", "read", "update", "delete", "list"]';
  return [
    '# The declarative configuration (vault-config-operator); no access to secret data.',
    'path "sys/auth" {',
    '  capabilities = ["read"]',
    '}',
    '# enabling an auth method needs sudo',
    'path "sys/auth/*" {',
    '  capabilities = ["create", "read", "update", "delete", "sudo"]',
    '}',
    'path "sys/mounts" {',
    '  capabilities = ["read"]',
    '}',
    'path "sys/mounts/*" {',
    '  capabilities = ["create", "read", "update", "delete"]',
    '}',
    'path "sys/policies/acl/*" {',
    `  capabilities = ${crud}`,
    '}',
    'path "sys/policies/password/*" {',
    `  capabilities = ${crud}`,
    '}',
    `path "auth/${clusterAuthParent}/+/config" {`,
    '  capabilities = ["create", "read", "update", "delete"]',
    '}',
    `path "auth/${clusterAuthParent}/+/role/*" {`,
    `  capabilities = ${crud}`,
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
