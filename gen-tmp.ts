import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSynth } from './charts/app/run.ts';
import { ENVIRONMENTS } from './charts/environments/index.ts';
const mod = process.argv[2]!;
const name = process.argv[3]!;
const cases = (await import(mod))[name];
const out = join(mkdtempSync(join(tmpdir(), 'gen-')), 'dist');
cpSync('dist', out, { recursive: true });
for (const c of cases) {
  const undo = c.patch?.();
  const r = await runSynth({ environments: c.environments?.() ?? ENVIRONMENTS, today: '2026-11-24', outdir: out, secretScanCache: '/tmp/gen-scan.json', ...(c.alterFiles ? { alterFiles: c.alterFiles } : {}) });
  undo?.();
  console.log(`### ${c.name} → ${r.code}\n${r.stderr.split('\n').slice(1).join('\n')}`);
}
