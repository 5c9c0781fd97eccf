/**
 * How each pinned schema file is made from its upstream bytes (schemas.lock.json records which
 * recipe a file uses). Every recipe is deterministic: the lock's sha256 proves the result.
 */
import { parse, parseAllDocuments, stringify } from 'yaml';

/** A file downloaded from a repository at a pinned commit, possibly cut out of a larger file. */
export interface UpstreamSource {
  readonly repo: string;
  readonly tag?: string;
  readonly commit: string;
  readonly path: string;
  /**
   * - `document:<name>`: the CustomResourceDefinition `<name>` out of a multi-document YAML file, text unchanged
   * - `go-raw-string:<key>`: the Go raw string literal `"<key>": \`…\`` of a generated Go map
   * - `cert-manager-crd:<version>`: cert-manager's Helm-templated CRD rendered as its static release asset
   */
  readonly extract?: string;
}

/** A file computed from other pinned files. */
export type DerivedSource =
  /** kubeconform's openapi2jsonschema.py: the strict JSON schema of one version of a CRD. */
  | { readonly derive: 'openapi2jsonschema'; readonly crd: string; readonly version: string }
  /** The DiskPool CRD Mayastor creates at runtime, built around a pinned JSON schema. */
  | { readonly derive: 'diskpool-crd'; readonly schema: string };

export type FileSource = UpstreamSource | DerivedSource;

export const isDerived = (source: FileSource): source is DerivedSource => 'derive' in source;

/** The inputs (lock paths) a derived file is made from. */
export function inputsOf(source: DerivedSource): string[] {
  return source.derive === 'openapi2jsonschema' ? [source.crd] : [source.schema];
}

/** Cuts an upstream file down to the pinned file. */
export function extract(text: string, how: string | undefined): string {
  if (how === undefined) return text;
  const [recipe, argument = ''] = splitOnce(how, ':');
  switch (recipe) {
    case 'document':
      return crdDocument(text, argument);
    case 'go-raw-string':
      return goRawString(text, argument);
    case 'cert-manager-crd':
      return renderCertManagerCrd(text, argument);
    default:
      throw new Error(`unknown extraction "${how}" in schemas.lock.json`);
  }
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** One document of a `---`-separated YAML stream, by `metadata.name`, its text unchanged. */
export function crdDocument(text: string, name: string): string {
  const documents = text.split(/^---[ \t]*\n/m);
  // The name of a top-level `metadata:` block, without parsing megabytes of schema.
  const nameOf = (document: string) => /^metadata:\n(?:[ \t]+.*\n)*?[ \t]{2}name: ['"]?([^'"\s]+)/m.exec(document)?.[1];
  const found = documents.find((document) => nameOf(document) === name);
  if (found === undefined) throw new Error(`no document named ${name}`);
  return found;
}

/**
 * The value of `"<key>": \`…\`` in a Go source file, as the YAML it holds. Go raw strings cannot
 * contain a backtick, so generators write one as `` ` + "`" + ` ``; that is undone.
 */
export function goRawString(text: string, key: string): string {
  const start = text.indexOf(`"${key}": \``);
  if (start < 0) throw new Error(`no Go raw string for key "${key}"`);
  const body = text.slice(start + key.length + 5);
  let value = '';
  for (let rest = body; ; ) {
    const end = rest.indexOf('`');
    if (end < 0) throw new Error(`unterminated Go raw string for key "${key}"`);
    value += rest.slice(0, end);
    rest = rest.slice(end);
    if (!rest.startsWith('` + "`" + `')) return value;
    value += '`';
    rest = rest.slice('` + "`" + `'.length);
  }
}

/**
 * cert-manager keeps its CRDs in git as Helm templates (`deploy/crds/crd-*.yaml`); its static
 * `cert-manager.crds.yaml` release asset is those files rendered with `crds.enabled=true`,
 * `crds.keep=true`, `creator=static` and release name `cert-manager`. The templates use four
 * fragments only (cert-manager v1.16.5 `deploy/crds/crd-certificates.yaml` and
 * `deploy/charts/cert-manager/templates/_helpers.tpl` "labels"): rendered the same way here.
 */
export function renderCertManagerCrd(text: string, version: string): string {
  return text
    .replace(/^(\s*)# Generated labels \{\{- include "labels" \. \| nindent 4 \}\}$/m, `$1# Generated labels\n$1app.kubernetes.io/version: "${version}"`)
    .replaceAll(`'{{ template "cert-manager.name" . }}'`, `'cert-manager'`)
    .replaceAll(`'{{ .Release.Name }}'`, `'cert-manager'`)
    .replace(/^(\s*#[^\n{]*?) \{\{-? [^}]*\}\}$/gm, '$1');
}

/**
 * kubeconform's `scripts/openapi2jsonschema.py` (v0.6.7), the rules datreeio/CRDs-catalog uses:
 * every object below the root that has `properties` and no `additionalProperties` gets
 * `additionalProperties: false` (recursing through mappings only, not lists), then every
 * mapping with `format: int-or-string` becomes `oneOf: [string, integer]`; written as Python's
 * `json.dumps(indent=2)` (ASCII only) plus a newline.
 */
export function openapi2jsonschema(crdText: string, version: string): string {
  const crd = parse(crdText) as { spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: unknown } }[] } };
  const schema = crd.spec?.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (schema === undefined) throw new Error(`the CRD has no openAPIV3Schema for version ${version}`);
  const strict = replaceIntOrString(denyAdditionalProperties(structuredClone(schema), true));
  return `${JSON.stringify(strict, null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isMapping = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

function denyAdditionalProperties(node: any, isRoot = false): any {
  if (isMapping(node)) {
    if ('properties' in node && !isRoot && !('additionalProperties' in node)) node.additionalProperties = false;
    for (const value of Object.values(node)) denyAdditionalProperties(value);
  }
  return node;
}

function replaceIntOrString(node: any): any {
  if (!isMapping(node)) return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (isMapping(value)) out[key] = value.format === 'int-or-string' ? { oneOf: [{ type: 'string' }, { type: 'integer' }] } : replaceIntOrString(value);
    else if (Array.isArray(value)) out[key] = value.map(replaceIntOrString);
    else out[key] = value;
  }
  return out;
}

/**
 * Mayastor's diskpool operator creates the DiskPool CRD at runtime (kube-rs), so no YAML exists
 * upstream. Its `openAPIV3Schema` is the pinned datreeio/CRDs-catalog JSON schema without the
 * `additionalProperties: false` the catalog adds; the rest is transcribed from the `#[kube(...)]`
 * attributes of openebs/mayastor-control-plane v2.7.1 `k8s/operators/src/pool/diskpool/crd/v1beta2.rs`.
 */
export function diskPoolCrd(catalogSchemaText: string): string {
  const openAPIV3Schema = withoutDeniedAdditionalProperties(JSON.parse(catalogSchemaText));
  const column = (name: string, type: string, description: string, jsonPath: string, format?: string) => ({ name, type, ...(format ? { format } : {}), description, jsonPath });
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'diskpools.openebs.io' },
    spec: {
      group: 'openebs.io',
      names: { categories: [], kind: 'DiskPool', plural: 'diskpools', shortNames: ['dsp'], singular: 'diskpool' },
      scope: 'Namespaced',
      versions: [
        {
          additionalPrinterColumns: [
            column('node', 'string', 'node the pool is on', '.spec.node'),
            column('state', 'string', 'dsp cr state', '.status.cr_state'),
            column('pool_status', 'string', 'Control plane pool status', '.status.pool_status'),
            column('capacity', 'integer', 'total bytes', '.status.capacity', 'int64'),
            column('used', 'integer', 'used bytes', '.status.used', 'int64'),
            column('available', 'integer', 'available bytes', '.status.available', 'int64'),
          ],
          name: 'v1beta2',
          schema: { openAPIV3Schema },
          served: true,
          storage: true,
          subresources: { status: {} },
        },
      ],
    },
  };
  return `${DISKPOOL_HEADER}${stringify(crd, { indentSeq: false, lineWidth: 0 })}`;
}

const DISKPOOL_HEADER = `# DiskPool CRD (openebs.io/v1beta2) as created at runtime by the Mayastor diskpool operator
# (openebs/mayastor-control-plane v2.7.1, k8s/operators/src/pool/diskpool/crd/v1beta2.rs; kube-rs #[kube(...)] derive).
# Upstream keeps no CRD YAML in git. Built here: openAPIV3Schema = datreeio/CRDs-catalog
# openebs.io/diskpool_v1beta2.json @ 7b1e26ef9dee with the catalog's added
# additionalProperties:false removed; names/scope/printer columns/status subresource
# transcribed from the #[kube(...)] attributes of the upstream source.
`;

function withoutDeniedAdditionalProperties(node: any): any {
  if (Array.isArray(node)) return node.map(withoutDeniedAdditionalProperties);
  if (!isMapping(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, withoutDeniedAdditionalProperties(value)]),
  );
}

/** Kinds, versions and scope a CRD file declares (for the lock's kind table). */
export function crdFacts(text: string): { group: string; kind: string; plural: string; versions: { name: string; served: boolean; storage: boolean }[] } {
  const [document] = parseAllDocuments(text);
  const crd = document!.toJS() as { spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean; storage: boolean }[] } };
  return { group: crd.spec.group, kind: crd.spec.names.kind, plural: crd.spec.names.plural, versions: crd.spec.versions.map(({ name, served, storage }) => ({ name, served, storage })) };
}
