/**
 * kubeconform reads one standalone JSON schema per kind. Our pinned schemas hold the Kubernetes 1.28
 * definitions as one `_definitions.json` (refs between definitions) and the CRD kinds already in
 * kubeconform's layout (`jsonschema/<group>/<kind>_<version>.json`). This writes the core kinds
 * kubeconform needs in its own layout (`<kind>-<group>-<version>.json`), refs inlined and every
 * object closed (`additionalProperties: false` unless it has its own), as openapi2jsonschema
 * `--strict --stand-alone` does (yannh/kubernetes-json-schema, the schemas kubeconform uses by default).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, any>;

function inline(node: unknown, definitions: Record<string, Schema>, stack: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, definitions, stack));
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as Schema;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.slice(schema.$ref.indexOf('#/definitions/') + '#/definitions/'.length);
    // A recursive definition (JSONSchemaProps) is cut at its second occurrence: anything is accepted there.
    if (stack.includes(name) || !definitions[name]) return {};
    const { $ref: _ref, ...rest } = schema;
    return { ...(inline(definitions[name], definitions, [...stack, name]) as Schema), ...(inline(rest, definitions, stack) as Schema) };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, inline(v, definitions, stack)])) : inline(value, definitions, stack);
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

/** The file name kubeconform asks for: `{{.ResourceKind}}{{.KindSuffix}}` = `deployment-apps-v1`, `service-v1`. */
export function coreSchemaName(group: string, version: string, kind: string): string {
  return `${[kind, group.split('.')[0], version].filter(Boolean).join('-').toLowerCase()}.json`;
}

/** Writes the strict standalone schema of every Kubernetes kind in `definitionsFile` into `outDir`; returns how many. */
export function writeCoreSchemas(definitionsFile: string, outDir: string): number {
  const definitions = (JSON.parse(readFileSync(definitionsFile, 'utf8')) as { definitions: Record<string, Schema> }).definitions;
  mkdirSync(outDir, { recursive: true });
  let count = 0;
  for (const [name, definition] of Object.entries(definitions)) {
    for (const gvk of (definition['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []) {
      if (gvk.kind.endsWith('List') || gvk.kind === 'WatchEvent' || gvk.kind === 'DeleteOptions' || gvk.kind === 'Status') continue;
      writeFileSync(join(outDir, coreSchemaName(gvk.group, gvk.version, gvk.kind)), JSON.stringify(inline(definition, definitions, [name])));
      count++;
    }
  }
  return count;
}
