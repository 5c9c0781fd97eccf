import { DNS_1035_LABEL, DNS_LABEL, DNS_SUBDOMAIN } from '../charts/lib/names.ts';
/**
 * Rules `schema`, `cel` and `metadata`: every object against the schema the API server would apply
 * (Kubernetes 1.28 definitions, a CRD in the tree, or a pinned CRD), the CRD's CEL rules, and the
 * name and label syntax the API server enforces in code rather than in the schema.
 */
import type { Manifest } from '../charts/lib/manifest.ts';
import { applyDefaults, evaluateSite } from './cel.ts';
import { groupOf } from '../charts/lib/kinds.ts';
import { inventories } from './inventory.ts';
import { SchemaStore, SchemaStoreError, type KindSchema } from './schema-store.ts';
import { pointerToken, validateValue, type CelSite, type Finding, type SchemaNode, type ValidationContext } from './structural.ts';
import type { Rule, RuleContext } from './types.ts';

const OBJECT_META_REF = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };

/** A CR's root schema, closed (apiVersion, kind, metadata as ObjectMeta, and its own fields only). */
const rootCache = new WeakMap<SchemaNode, SchemaNode>();
function closedRoot(schema: SchemaNode): SchemaNode {
  let root = rootCache.get(schema);
  if (!root) {
    root = {
      ...schema,
      type: 'object',
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...(schema.properties ?? {}), metadata: OBJECT_META_REF },
      additionalProperties: schema['x-kubernetes-preserve-unknown-fields'] === true ? undefined : false,
    };
    rootCache.set(schema, root);
  }
  return root;
}

/** The schema of a custom resource from a CRD object in the environment's tree, if there is one. */
function schemaFromTree(crd: Manifest | undefined, version: string): KindSchema | undefined {
  if (!crd) return undefined;
  const versions: any[] = (crd.object as any).spec?.versions ?? [];
  const served = versions.filter((v) => v.served);
  const match = served.find((v) => v.name === version);
  const file = `${crd.environment}/${crd.folder}/${crd.file}`;
  if (!match) return { source: 'none', reason: `the CRD in ${file} does not serve ${version} (served: ${served.map((v) => v.name).join(', ')})` };
  const schema = match.schema?.openAPIV3Schema;
  if (!schema) return { source: 'none', reason: `the CRD in ${file} has no openAPIV3Schema for ${version}` };
  return { source: 'crd-in-tree', file, schema };
}

function kindSchema(store: SchemaStore, manifest: Manifest, crdInTree: Manifest | undefined): KindSchema {
  const { apiVersion, kind } = manifest.object;
  const group = groupOf(apiVersion);
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const definition = store.coreDefinition(group, version, kind);
  if (definition) return { source: 'kubernetes', definition, schema: store.definitions[definition]! };
  if (store.coreGroups.has(group)) return { source: 'none', reason: `Kubernetes ${store.kubernetesVersion} has no ${apiVersion} ${kind}` };
  return schemaFromTree(crdInTree, version) ?? store.pinned(group, version, kind);
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

// Label and annotation keys are few and recur on every object: each is judged once.
const KEY_PROBLEMS = new Map<string, string | undefined>();

function keyProblem(key: string): string | undefined {
  if (!KEY_PROBLEMS.has(key)) KEY_PROBLEMS.set(key, judgeKey(key));
  return KEY_PROBLEMS.get(key);
}

function judgeKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return 'its prefix is not a DNS subdomain';
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) return 'its name part must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** Checks Kubernetes makes in code: object names, label and annotation syntax. */
function metadataFindings(manifest: Manifest): Finding[] {
  const findings: Finding[] = [];
  const { apiVersion, kind, metadata } = manifest.object;
  const name = metadata?.name;
  if (typeof name !== 'string' || name.length === 0) return [{ pointer: '/metadata/name', message: 'every object needs a name' }];
  const group = groupOf(apiVersion);
  if (group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..' || /[/%]/.test(name)) findings.push({ pointer: '/metadata/name', message: `${JSON.stringify(name)} may not contain "/" or "%" nor be "." or ".."` });
  } else if (group === '' && kind === 'Service') {
    if (name.length > 63 || !DNS_1035_LABEL.test(name))
      findings.push({ pointer: '/metadata/name', message: `${JSON.stringify(name)} is not a valid Service name (a DNS-1035 label: lower-case letters, digits and "-", starting with a letter, at most 63 characters)` });
  } else if (group === '' && kind === 'Namespace') {
    if (name.length > 63 || !DNS_LABEL.test(name))
      findings.push({ pointer: '/metadata/name', message: `${JSON.stringify(name)} is not a valid Namespace name (a DNS label: lower-case letters, digits and "-", at most 63 characters)` });
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    findings.push({ pointer: '/metadata/name', message: `${JSON.stringify(name)} is not a valid object name (a DNS subdomain: lower-case letters, digits, "-" and ".", at most 253 characters)` });
  }
  const namespace = metadata.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    findings.push({ pointer: '/metadata/namespace', message: `${JSON.stringify(namespace)} is not a valid namespace name (a DNS label)` });
  }
  const labels: Record<string, unknown> = metadata.labels ?? {};
  for (const key in labels) {
    const value = labels[key];
    const problem = keyProblem(key);
    if (problem) findings.push({ pointer: `/metadata/labels/${pointerToken(key)}`, message: `label key ${JSON.stringify(key)} is invalid: ${problem}` });
    if (typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
      findings.push({
        pointer: `/metadata/labels/${pointerToken(key)}`,
        message: `label value ${JSON.stringify(value)} is invalid: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
      });
    }
  }
  let annotationBytes = 0;
  const annotations: Record<string, unknown> = metadata.annotations ?? {};
  for (const key in annotations) {
    const value = annotations[key];
    const problem = keyProblem(key);
    if (problem) findings.push({ pointer: `/metadata/annotations/${pointerToken(key)}`, message: `annotation key ${JSON.stringify(key)} is invalid: ${problem}` });
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  for (const [base, spec] of podSpecs(manifest.object)) {
    const seen = new Map<string, string>();
    for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
      (spec?.[list] ?? []).forEach((container: any, index: number) => {
        const at = `${base}/${list}/${index}/name`;
        if (typeof container?.name !== 'string') return;
        const first = seen.get(container.name);
        if (first) findings.push({ pointer: at, message: `duplicate container name "${container.name}" (also at ${first}); container names are unique in a pod` });
        else seen.set(container.name, at);
      });
    }
    const volumes = new Map<string, number>();
    (spec?.volumes ?? []).forEach((volume: any, index: number) => {
      if (typeof volume?.name !== 'string') return;
      if (volumes.has(volume.name)) findings.push({ pointer: `${base}/volumes/${index}/name`, message: `duplicate volume name "${volume.name}" (also at index ${volumes.get(volume.name)})` });
      else volumes.set(volume.name, index);
    });
  }
  if (annotationBytes > 256 * 1024) findings.push({ pointer: '/metadata/annotations', message: `annotations total ${annotationBytes} bytes; the API server allows 262144` });
  return findings;
}

/** Pod specs of workload kinds, with their pointer. */
export function podSpecs(object: any): [string, any][] {
  switch (object?.kind) {
    case 'Pod':
      return [['/spec', object.spec]];
    case 'CronJob':
      return [['/spec/jobTemplate/spec/template/spec', object.spec?.jobTemplate?.spec?.template?.spec]];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return [['/spec/template/spec', object.spec?.template?.spec]];
    default:
      return [];
  }
}

export interface SchemaRuleOptions {
  /** Only this schemas directory. @default the usual places (schemaPlaces()) */
  readonly schemasDir?: string;
}

/** The rules that need the schemas: structure, CEL, and metadata syntax. */
export function schemaRules(options: SchemaRuleOptions = {}): Rule[] {
  return [
    {
      name: 'schema',
      forEach(context: RuleContext) {
        const store = SchemaStore.at(options.schemasDir, context.facts.kubernetesVersion);
        const unreadable = new Set<string>();
        const envs = inventories(context.manifests, context.facts);
        return (manifest: Manifest) => {
          for (const finding of metadataFindings(manifest)) context.report(manifest, finding.pointer, finding.message, 'metadata');
          const object = manifest.object;
          if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
            context.report(manifest, '', 'every object needs a string apiVersion and kind');
            return;
          }
          const inventory = envs.get(manifest.environment);
          let schema: KindSchema;
          try {
            schema = kindSchema(store, manifest, inventory?.crds.get(`${groupOf(object.apiVersion)}/${object.kind}`));
          } catch (error) {
            if (error instanceof SchemaStoreError) {
              // A missing or altered schema file is one problem, however many objects need it.
              if (!unreadable.has(error.message)) context.report(manifest, '', error.message);
              unreadable.add(error.message);
              return;
            }
            throw error;
          }
          if (schema.source === 'none') {
            context.report(manifest, '/kind', `no schema for ${object.apiVersion} ${object.kind}: ${schema.reason}; fix apiVersion/kind, or add the kind's CRD to the schemas (never a silent pass)`);
            return;
          }
          const cel: CelSite[] = [];
          const unsupported: string[] = [];
          const validation: ValidationContext = { resolve: store.resolve, objectMeta: store.objectMeta, findings: [], cel, unsupported };
          if (schema.source === 'kubernetes') {
            validateValue(schema.schema, object, '', validation, true);
          } else {
            const root = closedRoot(schema.schema);
            validateValue(root, applyDefaults(object, root), '', validation, false);
          }
          for (const finding of validation.findings) context.report(manifest, finding.pointer, finding.message);
          for (const pattern of unsupported) context.skip(`schema: ${object.kind}: a pattern the JavaScript engine cannot compile was not checked: ${pattern}`);
          for (const site of cel) {
            for (const { outcome } of evaluateSite(site)) {
              if (outcome.kind === 'fail') context.report(manifest, outcome.pointer, outcome.message, 'cel');
              else if (outcome.kind === 'skip') context.skip(`cel: ${object.kind} ${site.pointer || '/'}: ${outcome.reason}`, 'cel');
              else context.count('cel: rules evaluated');
            }
          }
        };
      },
    },
  ];
}
