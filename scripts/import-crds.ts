/**
 * `npm run import`: regenerates the typed CRD classes in imports/ from the CRDs listed under
 * `imports:` in cdk8s.yaml, read where the gate reads them (SCHEMAS_DIR, ../shared, .cache/schemas).
 * The CRD files themselves are never committed; the generated TypeScript is.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, SchemaFiles } from '../gate/schemas-location.ts';

/** `name:=crds/…yaml` entries of cdk8s.yaml, as [module name, path under the schemas folder]. */
export function crdImports(): [string, string][] {
  const config = parse(readFileSync(join(REPO_ROOT, 'cdk8s.yaml'), 'utf8')) as { imports: string[] };
  return config.imports.map((entry) => {
    const [name, path] = entry.split(':=');
    if (!name || !path) throw new Error(`cdk8s.yaml: import "${entry}" is not "<module>:=crds/<group>/<file>.yaml"`);
    return [name, path];
  });
}

function main(): void {
  const files = new SchemaFiles();
  const imports = join(REPO_ROOT, 'imports');
  const cli = join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s');
  // `cdk8s import <file>` appends what it imported (with absolute paths) to cdk8s.yaml: put the
  // reviewed list back after every run so the file stays the one source of what is imported.
  const configPath = join(REPO_ROOT, 'cdk8s.yaml');
  const config = readFileSync(configPath, 'utf8');
  for (const file of readdirSync(imports)) if (file.endsWith('.ts')) rmSync(join(imports, file));
  for (const [name, crd] of crdImports()) {
    files.text(crd); // verified against schemas.lock.json
    const path = files.locate(crd);
    if (!path) throw new Error(`import: ${crd} is not on this machine; run \`npm run schemas:fetch\``);
    try {
      execFileSync(cli, ['import', '--no-check-upgrade', '-l', 'typescript', '-o', imports, `${name}:=${path}`], { stdio: 'inherit' });
    } finally {
      writeFileSync(configPath, config);
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
