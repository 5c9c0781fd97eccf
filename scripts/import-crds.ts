/**
 * `npm run import`: regenerates the typed CRD classes in imports/ from the CRDs listed under
 * `imports:` in cdk8s.yaml, read from the schemas folder (SCHEMAS_DIR or ../shared/schemas);
 * entries under `crds-extra/` from the pinned CRDs added after the schemas were frozen
 * (CRDS_EXTRA_DIR, else `crds-extra` beside the schemas folder: ../shared/crds-extra).
 * The CRD files themselves are never committed; the generated TypeScript is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, schemasDir } from '../gate/schemas-location.ts';

/** `name:=crds/…yaml` entries of cdk8s.yaml, as [module name, path under the schemas folder]. */
export function crdImports(): [string, string][] {
  const config = parse(readFileSync(join(REPO_ROOT, 'cdk8s.yaml'), 'utf8')) as { imports: string[] };
  return config.imports.map((entry) => {
    const [name, path] = entry.split(':=');
    if (!name || !path) throw new Error(`cdk8s.yaml: import "${entry}" is not "<module>:=crds/<group>/<file>.yaml"`);
    return [name, path];
  });
}

/** Where an import entry's CRD file is: `crds/…` in the schemas folder, `crds-extra/…` beside it. */
export function crdFile(entry: string, env: NodeJS.ProcessEnv = process.env): string {
  const extra = 'crds-extra/';
  if (!entry.startsWith(extra)) return join(schemasDir(env), entry);
  return join(env.CRDS_EXTRA_DIR ? resolve(env.CRDS_EXTRA_DIR) : resolve(schemasDir(env), '..', 'crds-extra'), entry.slice(extra.length));
}

function main(): void {
  const imports = join(REPO_ROOT, 'imports');
  const cli = join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s');
  // `cdk8s import <file>` appends what it imported (with absolute paths) to cdk8s.yaml: put the
  // reviewed list back after every run so the file stays the one source of what is imported.
  const configPath = join(REPO_ROOT, 'cdk8s.yaml');
  const config = readFileSync(configPath, 'utf8');
  for (const file of readdirSync(imports)) if (file.endsWith('.ts')) rmSync(join(imports, file));
  for (const [name, crd] of crdImports()) {
    const path = crdFile(crd);
    if (!existsSync(path)) throw new Error(`import: ${path} does not exist; set SCHEMAS_DIR (or CRDS_EXTRA_DIR for crds-extra/ entries)`);
    try {
      execFileSync(cli, ['import', '--no-check-upgrade', '-l', 'typescript', '-o', imports, `${name}:=${path}`], { stdio: 'inherit' });
    } finally {
      writeFileSync(configPath, config);
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
