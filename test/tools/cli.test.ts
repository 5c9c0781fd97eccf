import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { parseArgs } from '../../tools/args.ts';

function run(script: string, ...args: string[]) {
  return spawnSync(process.execPath, ['scripts/run.mjs', `scripts/${script}.ts`, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

describe('scripts', () => {
  it('npm run diff reads the repository and exits 0; a bad ref exits 2 with the reason', () => {
    // rendering the charts (helm) belongs to npm run render:test, not to npm test
    const ok = run('diff', '--against', 'HEAD', '--markdown', '--no-render');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^### dist\/ diff: HEAD → working copy\n/);
    const bad = run('diff', '--against', 'no-such-ref-anywhere');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('diff: "no-such-ref-anywhere" is not a commit of this repository');
  });

  it('npm run drift prints the environments it compared', () => {
    const result = run('drift');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^drift between prod, staging, sandbox: \d+ shared service\(s\)/);
  });

  it('arguments: values, flags, and a clear error for unknown ones', () => {
    expect(parseArgs(['--against', 'main', '--markdown', '--to=HEAD~1'], { values: ['against', 'to'], flags: ['markdown'] })).toEqual({
      values: { against: 'main', to: 'HEAD~1' },
      flags: { markdown: true },
      positional: [],
    });
    expect(() => parseArgs(['--agianst', 'main'], { values: ['against'], flags: ['markdown'] })).toThrow('unknown argument --agianst (known: --against <value>, --markdown)');
    expect(() => parseArgs(['--against'], { values: ['against'] })).toThrow('--against needs a value');
  });
});
