import { isClusterScoped } from '../charts/lib/kinds.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, PART_OF_LABEL, POD_SECURITY_MODES, SYNC_WAVE_ANNOTATION } from '../charts/lib/labels.ts';
import { inventories, isNamespaced } from './inventory.ts';
import type { Manifest } from '../charts/lib/manifest.ts';
import type { Rule, RuleContext } from './types.ts';

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

/** Visits every string of an object with its JSON pointer. */
export function forEachString(value: unknown, visit: (text: string, pointer: string) => void, pointer = ''): void {
  if (typeof value === 'string') visit(value, pointer);
  else if (Array.isArray(value))
    value.forEach((item, index) => {
      forEachString(item, visit, `${pointer}/${index}`);
    });
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachString(item, visit, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

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

/** Visits every container-image string (`image: repo:tag`) with its pointer and sibling pull policy. */
function forEachImage(value: unknown, pointer: string, visit: (image: string, pointer: string, pullPolicy: unknown) => void): void {
  if (Array.isArray(value))
    value.forEach((item, index) => {
      forEachImage(item, `${pointer}/${index}`, visit);
    });
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key === 'image' && typeof item === 'string') visit(item, at, record.imagePullPolicy);
      else forEachImage(item, at, visit);
    }
  }
}

/** Visits Helm-style `image: { repository, tag }` values (chart values in Applications). */
function forEachChartImageTag(value: unknown, pointer: string, visit: (tag: string, pointer: string) => void): void {
  if (Array.isArray(value))
    value.forEach((item, index) => {
      forEachChartImageTag(item, `${pointer}/${index}`, visit);
    });
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key === 'image' && item && typeof item === 'object' && !Array.isArray(item) && 'tag' in item && typeof (item as any).tag === 'string' && !('digest' in item)) {
        visit((item as any).tag, `${at}/tag`);
      }
      forEachChartImageTag(item, at, visit);
    }
  }
}

/** `name:tag` or `name@sha256:…` → the tag ('' when none). */
export function imageTag(image: string): { tag: string; digest: boolean } {
  const digest = image.includes('@sha256:');
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return { tag: colon < 0 ? '' : withoutDigest.slice(colon + 1), digest };
}

export const policyRules: Rule[] = [
  {
    name: 'no-literal-secrets',
    check(context: RuleContext) {
      for (const manifest of context.manifests) {
        const object = manifest.object as any;
        if (object.kind === 'Secret' && object.apiVersion === 'v1') {
          for (const field of ['data', 'stringData'] as const) {
            if (object[field] !== undefined) {
              context.report(manifest, `/${field}`, `a Secret with ${field} would put secret material in git; deliver it from Vault with an ExternalSecret`);
            }
          }
        }
        forEachString(object, (text, pointer) => {
          if (PRIVATE_KEY.test(text)) context.report(manifest, pointer, 'a PEM private key is in the manifest; keys live in Vault or are issued in the cluster');
          for (const [what, shape] of TOKEN_SHAPES) {
            if (shape.test(text)) context.report(manifest, pointer, `${what} is in the manifest; credentials come from Vault through External Secrets`);
          }
          if (looksLikeSecret(text)) context.report(manifest, pointer, 'a high-entropy token-like string is in the manifest; credentials come from Vault through External Secrets');
          if (/tls[-_]skip[-_]verify\s*[:=]?\s*"?(true|1)/i.test(text) || /insecure-skip-tls-verify/i.test(text)) {
            context.report(manifest, pointer, 'TLS verification is disabled; trust the CA bundle instead');
          }
        });
      }
    },
  },
  {
    name: 'pinned-images',
    check(context: RuleContext) {
      for (const manifest of context.manifests) {
        forEachImage(manifest.object, '', (image, pointer, pullPolicy) => {
          const { tag, digest } = imageTag(image);
          if (!digest && (tag === '' || FLOATING_TAGS.has(tag.toLowerCase()))) {
            context.report(manifest, pointer, `image ${JSON.stringify(image)} is not pinned (${tag === '' ? 'no tag' : `floating tag "${tag}"`}); pin it in the catalogue (IMAGES)`);
          }
          if (pullPolicy === 'Always' && !digest) {
            context.report(manifest, pointer.replace(/image$/, 'imagePullPolicy'), 'imagePullPolicy Always without a digest pulls whatever the tag points to today; pin a digest or use IfNotPresent');
          }
        });
        forEachChartImageTag(manifest.object, '', (tag, pointer) => {
          if (FLOATING_TAGS.has(tag.toLowerCase()) || tag === '') context.report(manifest, pointer, `chart value image tag ${JSON.stringify(tag)} is not pinned; pin it in the catalogue (IMAGES)`);
        });
      }
    },
  },
  {
    name: 'namespace-labels',
    check(context: RuleContext) {
      const checkLabels = (manifest: Manifest, labels: Record<string, string>, base: string, what: string) => {
        for (const mode of POD_SECURITY_MODES) {
          const key = `pod-security.kubernetes.io/${mode}`;
          const value = labels[key];
          if (!value) context.report(manifest, `${base}/pod-security.kubernetes.io~1${mode}`, `${what} has no Pod Security ${mode} label; every namespace states its level (podSecurityLabels)`);
          else if (!POD_SECURITY_LEVELS.has(value)) context.report(manifest, `${base}/pod-security.kubernetes.io~1${mode}`, `Pod Security level ${JSON.stringify(value)} is not privileged, baseline or restricted`);
        }
      };
      for (const manifest of context.manifests) {
        const object = manifest.object as any;
        if (object.kind === 'Namespace' && object.apiVersion === 'v1') checkLabels(manifest, object.metadata.labels ?? {}, '/metadata/labels', 'Namespace');
        if (object.kind === 'Application' && String(object.apiVersion).startsWith('argoproj.io/') && (object.spec?.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true')) {
          checkLabels(manifest, object.spec?.syncPolicy?.managedNamespaceMetadata?.labels ?? {}, '/spec/syncPolicy/managedNamespaceMetadata/labels', `the namespace this Application creates (CreateNamespace=true)`);
        }
      }
    },
  },
  {
    name: 'common-labels',
    check(context: RuleContext) {
      for (const manifest of context.manifests) {
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
      }
    },
  },
  {
    name: 'cluster-scoped-namespace',
    check(context: RuleContext) {
      const envs = inventories(context.manifests, context.facts);
      for (const manifest of context.manifests) {
        const object = manifest.object;
        if (object.metadata?.namespace === undefined) continue;
        const inventory = envs.get(manifest.environment);
        const clusterScoped = inventory ? !isNamespaced(inventory, object.apiVersion, object.kind) : isClusterScoped(object.apiVersion, object.kind);
        if (clusterScoped) context.report(manifest, '/metadata/namespace', `${object.kind} is cluster-scoped and cannot have a namespace; remove metadata.namespace`);
      }
    },
  },
  {
    name: 'sync-wave-placement',
    check(context: RuleContext) {
      for (const manifest of context.manifests) {
        const object = manifest.object;
        if (object.metadata.labels?.[SYNC_WAVE_ANNOTATION] !== undefined) {
          context.report(manifest, `/metadata/labels/${SYNC_WAVE_ANNOTATION.replace('/', '~1')}`, 'sync-wave is a label here; Argo CD reads it only under metadata.annotations');
        }
        const wave = object.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
        if (wave !== undefined && !/^-?\d+$/.test(wave)) {
          context.report(manifest, `/metadata/annotations/${SYNC_WAVE_ANNOTATION.replace('/', '~1')}`, `sync-wave ${JSON.stringify(wave)} is not an integer`);
        }
      }
    },
  },
  {
    name: 'unique-objects',
    check(context: RuleContext) {
      const seen = new Map<string, Manifest>();
      for (const manifest of context.manifests) {
        const { apiVersion, kind, metadata } = manifest.object;
        // Argo CD objects all live on the host: they must be unique across environments too.
        const scope = apiVersion.startsWith('argoproj.io/') ? 'argocd' : manifest.environment;
        const key = `${scope}|${apiVersion.split('/')[0]}|${kind}|${metadata.namespace ?? ''}|${metadata.name}`;
        const first = seen.get(key);
        if (first) {
          context.report(manifest, '/metadata/name', `duplicate ${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}: also in ${first.environment}/${first.folder}/${first.file}`);
        } else {
          seen.set(key, manifest);
        }
      }
    },
  },
  {
    name: 'pinned-argocd-sources',
    check(context: RuleContext) {
      for (const manifest of context.manifests) {
        const object = manifest.object as any;
        if (object.kind !== 'Application' || !object.apiVersion.startsWith('argoproj.io/')) continue;
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
      }
    },
  },
];

/** Our own manifests are read from the dist branch (the publish step's output), by design. */
function isOwnDistSource(source: any): boolean {
  return source.targetRevision === 'dist' && typeof source.path === 'string' && /^[a-z0-9-]+\/[a-z0-9-]+$/.test(source.path);
}
