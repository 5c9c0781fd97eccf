/**
 * Synth refuses sources that do not type-check (charts/app/type-check.ts): a misspelled optional
 * field in environment data is an error, and the check is cached by the sources' hash.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeProblems } from '../../charts/app/type-check.ts';

function project(data: string): string {
  const root = mkdtempSync(join(tmpdir(), 'typecheck-'));
  mkdirSync(join(root, 'charts', 'environments'), { recursive: true });
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, types: [] }, include: ['charts/**/*.ts'] }),
  );
  writeFileSync(join(root, 'charts', 'environments', 'types.ts'), 'export interface SandboxUser {\n  readonly github: string;\n  readonly expires?: string;\n}\n');
  writeFileSync(join(root, 'charts', 'environments', 'sandbox-users.ts'), `import type { SandboxUser } from './types.ts';\n\nexport const SANDBOX_USERS: readonly SandboxUser[] = [\n${data}\n];\n`);
  return root;
}

describe('synth type-checks what it runs', () => {
  it('a misspelled optional field (expire: for expires:) is an error naming file, line, field and fix', () => {
    const root = project("  { github: 'epsot', expire: '2027-05-01' },");
    const options = { root, project: 'tsconfig.json', folders: ['charts'] };
    expect(typeProblems(options)).toEqual([
      "all environments › charts/environments/sandbox-users.ts:4:22: Object literal may only specify known properties, but 'expire' does not exist in type 'SandboxUser'. Did you mean to write 'expires'? (TS2561); fix the source so it type-checks (npm run typecheck)",
    ]);
    expect(existsSync(join(root, '.cache', 'typecheck'))).toBe(false);
  });

  it('sources that type-check are checked once: the next call is a hash, not a compile', () => {
    const root = project("  { github: 'epsot', expires: '2027-05-01' },");
    const options = { root, project: 'tsconfig.json', folders: ['charts'] };
    expect(typeProblems(options)).toEqual([]);
    expect(readdirSync(join(root, '.cache', 'typecheck')).filter((f) => f.startsWith('ok-'))).toHaveLength(1);
    const started = performance.now();
    expect(typeProblems(options)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(200);
    // an edit invalidates the cache
    writeFileSync(join(root, 'charts', 'environments', 'sandbox-users.ts'), "import type { SandboxUser } from './types.ts';\nexport const X: SandboxUser = { github: 1 };\n");
    expect(typeProblems(options)).toEqual([
      "all environments › charts/environments/sandbox-users.ts:2:33: Type 'number' is not assignable to type 'string'. (TS2322); fix the source so it type-checks (npm run typecheck)",
    ]);
  });

  it('a warm check trusts the size and mtime of sources older than its record, and still sees a same-size edit', () => {
    const root = project("  { github: 'epsot', expires: '2027-05-01' },");
    const options = { root, project: 'tsconfig.json', folders: ['charts'] };
    const data = join(root, 'charts', 'environments', 'sandbox-users.ts');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const file of ['tsconfig.json', 'charts/environments/types.ts', 'charts/environments/sandbox-users.ts']) utimesSync(join(root, file), hourAgo, hourAgo);
    expect(typeProblems(options)).toEqual([]);
    const stamps = JSON.parse(readFileSync(join(root, '.cache', 'typecheck', 'stamps.json'), 'utf8'));
    expect(Object.keys(stamps.files).sort()).toEqual(['charts/environments/sandbox-users.ts', 'charts/environments/types.ts', 'tsconfig.json']);
    expect(readdirSync(join(root, '.cache', 'typecheck'))).toContain(`ok-${stamps.key}`);
    // trusted: a marker of the recorded key is all it needs
    expect(typeProblems(options)).toEqual([]);
    // same size, new mtime: hashed again, and the error is found
    writeFileSync(data, readFileSync(data, 'utf8').replace("'epsot'", '1234567'));
    expect(typeProblems(options)).toEqual([
      "all environments › charts/environments/sandbox-users.ts:4:5: Type 'number' is not assignable to type 'string'. (TS2322); fix the source so it type-checks (npm run typecheck)",
    ]);
  });
});
