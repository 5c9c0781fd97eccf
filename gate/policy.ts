import { isClusterScoped } from '../charts/lib/kinds.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, PART_OF_LABEL, POD_SECURITY_MODES, SYNC_WAVE_ANNOTATION } from '../charts/lib/labels.ts';
import { describeObject, inventories, isNamespaced } from './inventory.ts';
import type { Manifest } from '../charts/lib/manifest.ts';
import type { Rule, RuleContext } from './types.ts';
import { API_LIMITS, bytesOverObjectLimit, dataBytes } from './load.ts';
import { forEachField, forEachString } from './walk.ts';

const FLOATING_TAGS = new Set(['latest', 'main', 'master', 'stable', 'edge', 'nightly', 'head']);
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** Shapes of well-known credentials (GitHub, Google, AWS, Slack, JWT). */
const TOKEN_SHAPES: readonly [string, RegExp][] = [
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['an AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['a Slack token', /\bxox[abpr]-[0-9A-Za-z-]{10,}\b/],
  ['a JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/],
];

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A long unbroken run of mixed letters and digits with high entropy: looks like a secret. */
export function looksLikeSecret(text: string): boolean {
  for (const word of text.split(/[\s"',;=:@/]+/)) {
    if (word.length < 32 || word.length > 512) continue;
    if (!/[a-z]/.test(word) || !/[A-Z]/.test(word) || !/[0-9]/.test(word)) continue;
    if (/^[A-Za-z0-9+_-]+={0,2}$/.test(word) && entropy(word) > 4.5) return true;
  }
  return false;
}

const POD_SECURITY_LEVELS = new Set(['privileged', 'baseline', 'restricted']);

/** `name:tag` or `name@sha256:…` → the tag ('' when none). */
export function imageTag(image: string): { tag: string; digest: boolean } {
  const digest = image.includes('@sha256:');
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return { tag: colon < 0 ? '' : withoutDigest.slice(colon + 1), digest };
}

// The same strings (labels, names, hosts) recur in every environment and sandbox: judge each once.
const LITERAL_SECRET_MESSAGES = new Map<string, readonly string[]>();
const NONE: readonly string[] = [];

/** What no-literal-secrets says about one string ([] when nothing). */
function literalSecretMessages(text: string): readonly string[] {
  let messages = LITERAL_SECRET_MESSAGES.get(text);
  if (messages === undefined) {
    const found: string[] = [];
    if (PRIVATE_KEY.test(text)) found.push('a PEM private key is in the manifest; keys live in Vault or are issued in the cluster');
    for (const [what, shape] of TOKEN_SHAPES) {
      if (shape.test(text)) found.push(`${what} is in the manifest; credentials come from Vault through External Secrets`);
    }
    if (looksLikeSecret(text)) found.push('a high-entropy token-like string is in the manifest; credentials come from Vault through External Secrets');
    if (/tls[-_]skip[-_]verify\s*[:=]?\s*"?(true|1)/i.test(text) || /insecure-skip-tls-verify/i.test(text)) found.push('TLS verification is disabled; trust the CA bundle instead');
    messages = found.length > 0 ? found : NONE;
    // Short strings recur; a long one (a dashboard, a script) is seen once and would only fill memory.
    if (text.length <= 256) LITERAL_SECRET_MESSAGES.set(text, messages);
  }
  return messages;
}

export const policyRules: Rule[] = [
  {
    name: 'no-literal-secrets',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const object = manifest.object as any;
        if (object.kind === 'Secret' && object.apiVersion === 'v1') {
          for (const field of ['data', 'stringData'] as const) {
            if (object[field] !== undefined) {
              context.report(manifest, `/${field}`, `a Secret with ${field} would put secret material in git; deliver it from Vault with an ExternalSecret`);
            }
          }
        }
        forEachString(object, (text, pointer) => {
          const messages = literalSecretMessages(text);
          if (messages.length > 0) for (const message of messages) context.report(manifest, pointer(), message);
        });
      };
    },
  },
  {
    name: 'pinned-images',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        // `image: repo:tag` (containers), and Helm's `image: { repository, tag }` (chart values in Applications)
        const chartTags: [string, string][] = [];
        forEachField(manifest.object, 'image', (image, pointer, holder) => {
          if (typeof image === 'string') {
            const pullPolicy = holder.imagePullPolicy;
            const { tag, digest } = imageTag(image);
            if (!digest && (tag === '' || FLOATING_TAGS.has(tag.toLowerCase()))) {
              context.report(manifest, pointer(), `image ${JSON.stringify(image)} is not pinned (${tag === '' ? 'no tag' : `floating tag "${tag}"`}); pin it in the catalogue (IMAGES)`);
            }
            if (pullPolicy === 'Always' && !digest) {
              context.report(manifest, pointer().replace(/image$/, 'imagePullPolicy'), 'imagePullPolicy Always without a digest pulls whatever the tag points to today; pin a digest or use IfNotPresent');
            }
          } else if (image && typeof image === 'object' && !Array.isArray(image) && typeof (image as { tag?: unknown }).tag === 'string' && !('digest' in image)) {
            const tag = (image as { tag: string }).tag;
            if (FLOATING_TAGS.has(tag.toLowerCase()) || tag === '') chartTags.push([`${pointer()}/tag`, `chart value image tag ${JSON.stringify(tag)} is not pinned; pin it in the catalogue (IMAGES)`]);
          }
        });
        for (const [pointer, message] of chartTags) context.report(manifest, pointer, message);
      };
    },
  },
  {
    name: 'namespace-labels',
    forEach(context: RuleContext) {
      const checkLabels = (manifest: Manifest, labels: Record<string, string>, base: string, what: string) => {
        for (const mode of POD_SECURITY_MODES) {
          const key = `pod-security.kubernetes.io/${mode}`;
          const value = labels[key];
          if (!value) context.report(manifest, `${base}/pod-security.kubernetes.io~1${mode}`, `${what} has no Pod Security ${mode} label; every namespace states its level (podSecurityLabels)`);
          else if (!POD_SECURITY_LEVELS.has(value)) context.report(manifest, `${base}/pod-security.kubernetes.io~1${mode}`, `Pod Security level ${JSON.stringify(value)} is not privileged, baseline or restricted`);
        }
      };
      return (manifest: Manifest) => {
        const object = manifest.object as any;
        if (object.kind === 'Namespace' && object.apiVersion === 'v1') checkLabels(manifest, object.metadata.labels ?? {}, '/metadata/labels', 'Namespace');
        if (object.kind === 'Application' && String(object.apiVersion).startsWith('argoproj.io/') && (object.spec?.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true')) {
          checkLabels(manifest, object.spec?.syncPolicy?.managedNamespaceMetadata?.labels ?? {}, '/spec/syncPolicy/managedNamespaceMetadata/labels', `the namespace this Application creates (CreateNamespace=true)`);
        }
      };
    },
  },
  {
    name: 'common-labels',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const labels = manifest.object.metadata?.labels ?? {};
        const expected: [string, string | undefined][] = [
          [PART_OF_LABEL, undefined],
          [MANAGED_BY_LABEL, undefined],
          [ENVIRONMENT_LABEL, manifest.environment],
        ];
        for (const [key, value] of expected) {
          if (labels[key] === undefined) context.report(manifest, `/metadata/labels/${key.replace('/', '~1')}`, `every object carries the common label ${key} (PlatformChart adds it)`);
          else if (value !== undefined && labels[key] !== value) context.report(manifest, `/metadata/labels/${key.replace('/', '~1')}`, `is ${JSON.stringify(labels[key])} but the object is in environment ${value}`);
        }
      };
    },
  },
  {
    name: 'cluster-scoped-namespace',
    forEach(context: RuleContext) {
      const envs = inventories(context.manifests, context.facts);
      return (manifest: Manifest) => {
        const object = manifest.object;
        if (object.metadata?.namespace === undefined) return;
        const inventory = envs.get(manifest.environment);
        const clusterScoped = inventory ? !isNamespaced(inventory, object.apiVersion, object.kind) : isClusterScoped(object.apiVersion, object.kind);
        if (clusterScoped) context.report(manifest, '/metadata/namespace', `${object.kind} is cluster-scoped and cannot have a namespace; remove metadata.namespace`);
      };
    },
  },
  {
    name: 'sync-wave-placement',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const object = manifest.object;
        if (object.metadata.labels?.[SYNC_WAVE_ANNOTATION] !== undefined) {
          context.report(manifest, `/metadata/labels/${SYNC_WAVE_ANNOTATION.replace('/', '~1')}`, 'sync-wave is a label here; Argo CD reads it only under metadata.annotations');
        }
        const wave = object.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
        if (wave !== undefined && !/^-?\d+$/.test(wave)) {
          context.report(manifest, `/metadata/annotations/${SYNC_WAVE_ANNOTATION.replace('/', '~1')}`, `sync-wave ${JSON.stringify(wave)} is not an integer`);
        }
      };
    },
  },
  {
    name: 'unique-objects',
    forEach(context: RuleContext) {
      const seen = new Map<string, Manifest>();
      return (manifest: Manifest) => {
        const { apiVersion, kind, metadata } = manifest.object;
        // Argo CD objects all live on the host: they must be unique across environments too.
        const scope = apiVersion.startsWith('argoproj.io/') ? 'argocd' : manifest.environment;
        const key = `${scope}|${apiVersion.split('/')[0]}|${kind}|${metadata.namespace ?? ''}|${metadata.name}`;
        const first = seen.get(key);
        if (first) {
          context.report(manifest, '/metadata/name', `duplicate ${describeObject(manifest.object)}: also in ${first.environment}/${first.folder}/${first.file}`);
        } else {
          seen.set(key, manifest);
        }
      };
    },
  },
  {
    name: 'pinned-argocd-sources',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const object = manifest.object as any;
        if (object.kind !== 'Application' || !object.apiVersion.startsWith('argoproj.io/')) return;
        const sources: [string, any][] = object.spec?.source ? [['/spec/source', object.spec.source]] : [];
        (object.spec?.sources ?? []).forEach((source: any, index: number) => {
          sources.push([`/spec/sources/${index}`, source]);
        });
        for (const [pointer, source] of sources) {
          const revision = String(source.targetRevision ?? '');
          if (source.chart) {
            if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(revision)) {
              context.report(manifest, `${pointer}/targetRevision`, `chart ${source.chart} is not pinned to a released version (got ${JSON.stringify(revision)})`);
            }
          } else if (!isOwnDistSource(source) && !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(revision) && !/^[0-9a-f]{40}$/.test(revision)) {
            context.report(manifest, `${pointer}/targetRevision`, `git source ${source.repoURL} is not pinned to a tag or commit (got ${JSON.stringify(revision)})`);
          }
        }
      };
    },
  },
  {
    // `ports: []` reads as "no ports" but Kubernetes reads it as every port (networking/v1
    // NetworkPolicyIngressRule: "If this field is empty or missing, this rule matches all ports").
    name: 'network-policy-ports',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const object = manifest.object as any;
        if (object.kind !== 'NetworkPolicy') return;
        for (const direction of ['ingress', 'egress'] as const) {
          (object.spec?.[direction] ?? []).forEach((rule: any, index: number) => {
            if (Array.isArray(rule?.ports) && rule.ports.length === 0) {
              context.report(manifest, `/spec/${direction}/${index}/ports`, 'is [], which Kubernetes reads as every port; list the ports to allow, or remove the rule to allow none');
            }
          });
        }
      };
    },
  },
  {
    // What the API server refuses, caught before Argo CD tries (gate/load.ts API_LIMITS).
    name: 'api-size-limits',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const object = manifest.object as any;
        const bytes = bytesOverObjectLimit(object);
        if (bytes !== undefined) {
          context.report(manifest, '', `is ${(bytes / 1048576).toFixed(2)} MiB, over what etcd stores per object (1.5 MiB); move the content out of the object`);
          return;
        }
        if (object.kind === 'ConfigMap' || object.kind === 'Secret') {
          const data = dataBytes(object);
          if (data > API_LIMITS.dataBytes)
            context.report(
              manifest,
              '/data',
              `holds ${(data / 1048576).toFixed(2)} MiB, over the API server's 1 MiB for a ${object.kind}; keep large content out of ${object.kind}s (a volume, an image, an object store)`,
            );
        }
      };
    },
  },
  {
    // Least privilege (docs/decisions/0906-least-privilege.md): nothing in dist/ grants cluster-admin
    // or joins system:masters; a component gets a role scoped to what it manages.
    name: 'no-cluster-admin',
    forEach(context: RuleContext) {
      return (manifest: Manifest) => {
        const object = manifest.object as any;
        if ((object.kind !== 'ClusterRoleBinding' && object.kind !== 'RoleBinding') || !object.apiVersion.startsWith('rbac.authorization.k8s.io/')) return;
        if (object.roleRef?.kind === 'ClusterRole' && object.roleRef?.name === 'cluster-admin') {
          context.report(
            manifest,
            '/roleRef/name',
            `binds cluster-admin (every verb on every resource of the cluster); bind a ClusterRole scoped to what ${(object.subjects ?? []).map((s: any) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ') || 'its subjects'} manage${(object.subjects ?? []).length === 1 ? 's' : ''}`,
          );
        }
        (object.subjects ?? []).forEach((subject: any, index: number) => {
          if (subject.kind === 'Group' && subject.name === 'system:masters')
            context.report(manifest, `/subjects/${index}/name`, 'binds the group system:masters, which bypasses RBAC entirely; bind a named group to a scoped role');
        });
      };
    },
  },
];

/** Our own manifests are read from the dist branch (the publish step's output), by design. */
function isOwnDistSource(source: any): boolean {
  return source.targetRevision === 'dist' && typeof source.path === 'string' && /^[a-z0-9-]+\/[a-z0-9-]+$/.test(source.path);
}
