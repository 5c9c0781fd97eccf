import { groupBy } from '../charts/lib/group-by.ts';
import { externalSecretTarget } from '../charts/lib/kinds.ts';
import type { Manifest } from '../charts/lib/manifest.ts';
import { describeObject } from './inventory.ts';
import { pointerOf, pointerToken } from './structural.ts';
import type { Rule } from './types.ts';

/** A Secret some consumer reads: by name in a namespace of one environment, optionally one key. */
export interface SecretReference {
  readonly environment: string;
  readonly namespace: string;
  readonly name: string;
  /** The key read; undefined when the whole Secret is used (envFrom, volume without items). */
  readonly key?: string;
  readonly manifest: Manifest;
  /** JSON pointer of the reference inside the manifest. */
  readonly pointer: string;
}

/** Where a Secret comes from, and which keys it has (undefined: not known in advance). */
export interface SecretProducer {
  readonly environment: string;
  readonly namespace: string;
  readonly name: string;
  readonly keys?: readonly string[];
  readonly by: string;
}

/** A Secret made by hand (declared in the environment data with its runbook). */
export interface DeclaredSecret {
  readonly environment: string;
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
}

/** Kinds that produce Secrets (their references are sources, not consumers). */
const PRODUCER_KINDS = new Set(['ExternalSecret', 'ClusterExternalSecret', 'PushSecret', 'Certificate']);
/** cert-manager writes these keys in every certificate Secret. */
const CERTIFICATE_KEYS = ['ca.crt', 'tls.crt', 'tls.key'];
/** Argo CD's own secret, the target of `$key` references without a secret name. */
const ARGOCD_SECRET = 'argocd-secret';
/** The fields of a `{name, namespace?, key?}` Secret selector (an object with others is something else). */
const SECRET_SELECTOR_FIELDS = new Set(['name', 'optional', 'namespace', 'key']);
const CLICKHOUSE_SECRET_SETTING = /(^|\/)k8s_secret_[a-z0-9_]+$/;

type Visit = (ref: { name: string; key?: string; namespace?: string; pointer: string }) => void;

/**
 * Secret references in any piece of Kubernetes-shaped data: `secretKeyRef`, `secretRef`
 * (envFrom, operator credentials), `secret.secretName` (volumes, with their `items`), projected
 * `secret` sources, ClickHouse's `k8s_secret_*` user settings, and the chart idioms we use in Helm
 * values (`existingSecret`, `envFromSecret(s)`, `extraSecretEnvironmentVars`).
 */
export function visitSecretReferences(value: unknown, visit: Visit): void {
  walkReferences(value, [], visit);
}

/** The pointer of `rest` under `path`. */
function pointerAt(path: readonly (string | number)[], ...rest: (string | number)[]): string {
  return pointerOf(path) + pointerOf(rest);
}

/** `path` is the way down (pointer tokens unescaped); a pointer is built only for a reference found. */
function walkReferences(value: unknown, path: (string | number)[], visit: Visit): void {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      walkReferences(value[index], path, visit);
      path.pop();
    }
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Record<string, any>;
  const ref = object.secretKeyRef;
  if (ref && typeof ref.name === 'string') visit({ name: ref.name, key: ref.key, pointer: pointerAt(path, 'secretKeyRef') });
  // envFrom's `secretRef: {name}`, and the `{name, namespace?, key?}` selectors of operators (Crossplane credentials …)
  const secretRef = object.secretRef;
  if (secretRef && typeof secretRef.name === 'string' && Object.keys(secretRef).every((k) => SECRET_SELECTOR_FIELDS.has(k))) {
    visit({ name: secretRef.name, key: secretRef.key, namespace: secretRef.namespace, pointer: pointerAt(path, 'secretRef') });
  }
  const secret = object.secret;
  if (secret && typeof secret === 'object') {
    // a projected volume's sources name the Secret by `name`, a plain volume by `secretName`
    const name = secret.secretName ?? (path.indexOf('sources') >= 0 && path.indexOf('sources') < path.length - 1 ? secret.name : undefined);
    if (typeof name === 'string') {
      const items = Array.isArray(secret.items) ? secret.items : [];
      if (items.length === 0) visit({ name, pointer: pointerAt(path, 'secret') });
      items.forEach((item: any, index: number) => {
        visit({ name, key: item.key, pointer: pointerAt(path, 'secret', 'items', index) });
      });
    }
  }
  if (typeof object.existingSecret === 'string' && object.existingSecret) visit({ name: object.existingSecret, pointer: pointerAt(path, 'existingSecret') });
  if (typeof object.envFromSecret === 'string' && object.envFromSecret) visit({ name: object.envFromSecret, pointer: pointerAt(path, 'envFromSecret') });
  if (Array.isArray(object.envFromSecrets)) {
    object.envFromSecrets.forEach((s: any, i: number) => {
      if (typeof s?.name === 'string') visit({ name: s.name, pointer: pointerAt(path, 'envFromSecrets', i) });
    });
  }
  if (Array.isArray(object.extraSecretEnvironmentVars)) {
    object.extraSecretEnvironmentVars.forEach((s: any, i: number) => {
      if (typeof s?.secretName === 'string') visit({ name: s.secretName, key: s.secretKey, pointer: pointerAt(path, 'extraSecretEnvironmentVars', i) });
    });
  }
  for (const key in object) {
    const item = object[key];
    // ClickHouse operator: `<user>/k8s_secret_password: [namespace/]secret/key`
    if (typeof item === 'string') {
      if (!key.includes('k8s_secret_') || !CLICKHOUSE_SECRET_SETTING.test(key)) continue;
      const parts = item.split('/');
      if (parts.length === 2) visit({ name: parts[0]!, key: parts[1], pointer: pointerAt(path, key) });
      if (parts.length === 3) visit({ namespace: parts[0], name: parts[1]!, key: parts[2], pointer: pointerAt(path, key) });
    } else if (item && typeof item === 'object' && key !== 'secretKeyRef' && key !== 'secretRef' && key !== 'secret') {
      path.push(key);
      walkReferences(item, path, visit);
      path.pop();
    }
  }
}

/** Argo CD's references in its configuration strings: `$<secret>:<key>`, or `$<key>` of argocd-secret. */
export function argoCdSecretReferences(text: string): { name: string; key: string }[] {
  const found: { name: string; key: string }[] = [];
  for (const match of text.matchAll(/\$([A-Za-z0-9][A-Za-z0-9._-]*)(?::([A-Za-z0-9][A-Za-z0-9._-]*))?/g)) {
    if (match[2] !== undefined) found.push({ name: match[1]!, key: match[2] });
    else found.push({ name: ARGOCD_SECRET, key: match[1]! });
  }
  return found;
}

function visitStrings(value: unknown, visit: (text: string, pointer: string) => void, pointer = ''): void {
  if (typeof value === 'string') visit(value, pointer);
  else if (Array.isArray(value))
    value.forEach((item, index) => {
      visitStrings(item, visit, `${pointer}/${index}`);
    });
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visitStrings(v, visit, `${pointer}/${k}`);
}

/** Every consumer reference in the manifests: pod specs of our folders and the values of upstream charts. */
export function secretReferences(manifests: readonly Manifest[]): SecretReference[] {
  const references: SecretReference[] = [];
  for (const manifest of manifests) {
    const object = manifest.object as any;
    const isArgo = object.apiVersion.startsWith('argoproj.io/');
    if (!isArgo && !PRODUCER_KINDS.has(object.kind) && object.spec) {
      // workloads' pod specs and custom resources (collector env, ClickHouse users, provider credentials …)
      const own = object.metadata.namespace ?? 'default';
      visitSecretReferences(object.spec, (ref) => references.push({ environment: manifest.environment, manifest, name: ref.name, key: ref.key, namespace: ref.namespace ?? own, pointer: `/spec${ref.pointer}` }));
    }
    if (object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/')) {
      const namespace = object.spec?.destination?.namespace;
      const sources: any[] = [object.spec?.source, ...(object.spec?.sources ?? [])].filter(Boolean);
      sources.forEach((source, index) => {
        const values = source.helm?.valuesObject;
        if (!values || !namespace) return;
        const base = object.spec.source ? '/spec/source/helm/valuesObject' : `/spec/sources/${index}/helm/valuesObject`;
        visitSecretReferences(values, (ref) => references.push({ environment: manifest.environment, manifest, name: ref.name, key: ref.key, namespace: ref.namespace ?? namespace, pointer: `${base}${ref.pointer}` }));
        if (source.chart === 'argo-cd') {
          // argocd-cm and argocd-rbac-cm strings: dex.config, oidc.config, url …
          visitStrings(values.configs?.cm ?? {}, (text, pointer) => {
            for (const ref of argoCdSecretReferences(text)) {
              references.push({ environment: manifest.environment, namespace, manifest, ...ref, pointer: `${base}/configs/cm${pointer}` });
            }
          });
        }
      });
    }
  }
  return references;
}

/** Secrets the manifests make exist: ExternalSecret targets and cert-manager Certificate Secrets. */
export function secretProducers(manifests: readonly Manifest[], declared: readonly DeclaredSecret[] = []): SecretProducer[] {
  const producers: SecretProducer[] = declared.map((d) => ({ ...d, by: 'declared hand-provided Secret' }));
  for (const manifest of manifests) {
    const object = manifest.object as any;
    const namespace = object.metadata.namespace;
    if (object.apiVersion.startsWith('external-secrets.io/') && object.kind === 'ExternalSecret') {
      const template = object.spec?.target?.template?.data;
      const keys = object.spec?.dataFrom?.length ? undefined : [...Object.keys(template ?? {}), ...(template ? [] : (object.spec?.data ?? []).map((d: any) => d.secretKey))];
      producers.push({ environment: manifest.environment, namespace, name: externalSecretTarget(object), keys, by: `ExternalSecret ${namespace}/${object.metadata.name}` });
    }
    if (object.apiVersion.startsWith('cert-manager.io/') && object.kind === 'Certificate') {
      producers.push({ environment: manifest.environment, namespace, name: object.spec.secretName, keys: CERTIFICATE_KEYS, by: `Certificate ${namespace}/${object.metadata.name}` });
    }
  }
  return producers;
}

/** A reference no producer satisfies, with why. */
export interface UnresolvedReference {
  readonly reference: SecretReference;
  readonly problem: string;
}

export function unresolvedSecretReferences(manifests: readonly Manifest[], declared: readonly DeclaredSecret[] = [], references = secretReferences(manifests)): UnresolvedReference[] {
  const producers = groupBy(secretProducers(manifests, declared), secretKey);
  const problems: UnresolvedReference[] = [];
  for (const reference of references) {
    const candidates = producers.get(secretKey(reference)) ?? [];
    if (candidates.length === 0) {
      problems.push({
        reference,
        problem: `Secret ${reference.namespace}/${reference.name} is read but nothing creates it; deliver it with a VaultSecret (ExternalSecret), a Certificate, or declare it in PLATFORM.handProvidedSecrets with its runbook`,
      });
    } else if (reference.key !== undefined && !candidates.some((p) => p.keys === undefined || p.keys.includes(reference.key!))) {
      problems.push({
        reference,
        problem: `Secret ${reference.namespace}/${reference.name} has no key "${reference.key}" (${candidates.map((p) => `${p.by}: ${(p.keys ?? []).join(', ')}`).join('; ')})`,
      });
    }
  }
  return problems;
}

/** One Secret of one environment. */
function secretKey(secret: { readonly environment: string; readonly namespace: string; readonly name: string }): string {
  return `${secret.environment}|${secret.namespace}|${secret.name}`;
}

/** An ExternalSecret key no consumer reads, where every consumer names the keys it reads. */
export interface UnreadKey {
  readonly manifest: Manifest;
  readonly pointer: string;
  readonly key: string;
  readonly problem: string;
}

/**
 * The reverse of unresolvedSecretReferences: a key an ExternalSecret writes that none of its
 * consumers reads, when every consumer names its keys (secretKeyRef, volume items, chart values
 * with a key). A typo on the producer's side (`clientsecret` for `clientSecret`) or a leftover key
 * is then a finding; a Secret read whole (envFrom, a volume without items, `existingSecret`) or read
 * by no reference the gate sees (by label, by a controller) is not judged.
 */
export function unreadExternalSecretKeys(manifests: readonly Manifest[], references = secretReferences(manifests)): UnreadKey[] {
  const readersOf = groupBy(references, secretKey);
  const found: UnreadKey[] = [];
  for (const manifest of manifests) {
    const object = manifest.object as any;
    if (!object.apiVersion.startsWith('external-secrets.io/') || object.kind !== 'ExternalSecret' || object.spec?.dataFrom?.length) continue;
    const namespace = object.metadata.namespace;
    const name = externalSecretTarget(object);
    const readers = readersOf.get(secretKey({ environment: manifest.environment, namespace, name })) ?? [];
    if (readers.length === 0 || readers.some((r) => r.key === undefined)) continue;
    const read = new Set(readers.map((r) => r.key!));
    const template = object.spec?.target?.template?.data;
    const written: [string, string][] = template
      ? Object.keys(template).map((key) => [key, `/spec/target/template/data/${pointerToken(key)}`])
      : (object.spec?.data ?? []).map((d: any, i: number) => [d.secretKey, `/spec/data/${i}/secretKey`]);
    const where = [...new Set(readers.map((r) => describeObject(r.manifest.object)))].join(', ');
    for (const [key, pointer] of written) {
      if (typeof key !== 'string' || read.has(key)) continue;
      found.push({
        manifest,
        pointer,
        key,
        problem: `Secret ${namespace}/${name} gets key "${key}" but no consumer reads it (read: ${[...read].sort().join(', ')} by ${where}); fix the key's name to the one the consumer reads, or drop it`,
      });
    }
  }
  return found;
}

/** The check as a gate rule (declared hand-provided Secrets come from the environment data). */
export function secretReferencesRule(declared: readonly DeclaredSecret[]): Rule {
  return {
    name: 'secret-references',
    check(context) {
      const references = secretReferences(context.manifests);
      for (const { reference, problem } of unresolvedSecretReferences(context.manifests, declared, references)) {
        context.report(reference.manifest, reference.pointer, problem);
      }
      for (const { manifest, pointer, problem } of unreadExternalSecretKeys(context.manifests, references)) context.report(manifest, pointer, problem);
    },
  };
}
