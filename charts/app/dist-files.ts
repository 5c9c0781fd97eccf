import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../lib/manifest.ts';
import { toYaml } from '../lib/render.ts';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import type { PlatformBuild } from './build.ts';

/** Paths of the generated files every dist/ has besides the manifests. */
export const DIST_README = 'README.md';
export const DIST_METADATA = 'metadata.json';

/** `<env>/<folder>/<file>` */
export function manifestPath(manifest: Manifest): string {
  return `${manifest.environment}/${manifest.folder}/${manifest.file}`;
}

/** Tool versions read from package.json: the metadata names what produced dist/, never when. */
function toolVersions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const pick = ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml', 'typescript', 'cdk8s-cli'];
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  return Object.fromEntries(pick.map((name) => [name, all[name] ?? 'unknown']));
}

/**
 * Everything synth writes under dist/: one YAML file per object, README.md and metadata.json.
 * No timestamp and no commit: the same input gives the same bytes (provenance is added on publish).
 */
export function distFiles(build: PlatformBuild): Map<string, string> {
  const files = new Map<string, string>();
  const duplicates: string[] = [];
  for (const manifest of build.manifests) {
    const path = manifestPath(manifest);
    if (files.has(path)) duplicates.push(path);
    files.set(path, toYaml(manifest.object));
  }
  const environmentNames = new Set(build.services.keys());
  for (const extra of build.extraFiles) {
    const top = extra.path.split('/')[0]!;
    if (environmentNames.has(top) || extra.path === DIST_README || extra.path === DIST_METADATA) {
      throw new Error(`extra output ${extra.path} would be written inside an environment folder or over a generated file`);
    }
    if (files.has(extra.path)) duplicates.push(extra.path);
    files.set(extra.path, extra.content);
  }
  if (duplicates.length > 0) {
    throw new Error(`two objects would be written to the same file: ${duplicates.join(', ')} (same kind, namespace and name in one folder)`);
  }
  const environments = [...build.services.entries()].map(([name, services]) => ({
    name,
    services,
    objects: build.manifests.filter((m) => m.environment === name).length,
  }));
  const metadata = {
    generator: 'plateforme-cedille (cdk8s)',
    kubernetesVersion: build.kubernetesVersion,
    tools: toolVersions(),
    environments,
    /** Files that are not Kubernetes objects: readers of dist/ (the gate, `validate DIR`) skip them. */
    extraFiles: build.extraFiles.map((file) => file.path).sort(),
  };
  files.set(DIST_METADATA, `${JSON.stringify(metadata, null, 2)}\n`);
  files.set(DIST_README, distReadme(environments.map((e) => e.name)));
  return files;
}

function distReadme(environments: string[]): string {
  return `# dist/ — generated, do not edit

Everything here is written by \`npm run synth\` from the TypeScript in \`charts/\`. Edits by hand are
overwritten at the next synth, and CI fails when this tree differs from a fresh synth.

To reproduce: \`npm ci && npm run synth\` at the repository root (the same input gives the same bytes).

Layout: \`<environment>/<service>/<kind>-<name>.yaml\`, one object per file. \`<environment>/root/\` holds
the environment's AppProject and its Argo CD Applications (upstream charts and one per service
folder); it is applied to the host's Argo CD. Environments: ${environments.join(', ')}.

Files that are not Kubernetes objects are listed under \`extraFiles\` in metadata.json:
\`releases/<environment>-<name>/kustomization.yaml\` (upstream release assets Argo CD fetches at a pinned
release) and \`talos/<node>.yaml\` (Talos machine-config patches an SRE applies through Omni, see
docs/talos.md in the source repository).

Argo CD reads the \`dist\` branch, where \`npm run publish\` commits this tree with its provenance.
`;
}
