/**
 * One gate configuration (charts/app/gate-config.ts): synth, `npm run validate` and the cdk8s plugin
 * report the same errors on the same broken tree; the construct tree's own validations
 * (`node.addValidation`) stop synth with the construct's path.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildPlatform } from '../../charts/app/build.ts';
import { distFiles } from '../../charts/app/dist-files.ts';
import { synthesize } from '../../charts/app/synth.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import type { PlatformChart } from '../../charts/lib/platform-chart.ts';
import { writeTreeAtomically } from '../../charts/lib/writer.ts';
import { SERVICES } from '../../charts/platform/registry.ts';
import type { GateIssue } from '../../gate/types.ts';
import { validateDirectory } from '../../scripts/validate.ts';
import { TEST_TODAY } from '../helpers.ts';

/** Adds `extra` to the cert-manager chart of every environment, for one test. */
function alsoInCertManager(extra: (chart: PlatformChart) => void): void {
  const definition = SERVICES['cert-manager'] as { build: (chart: PlatformChart, settings: unknown) => void };
  const original = definition.build;
  vi.spyOn(definition, 'build').mockImplementation((chart, settings) => {
    original(chart, settings);
    if (chart.environmentName === 'prod') extra(chart);
  });
}
afterEach(() => vi.restoreAllMocks());

const key = (e: Pick<GateIssue, 'rule' | 'file' | 'object' | 'field' | 'message'>) => `${e.file}: ${e.object} at ${e.field}: ${e.message} [${e.rule}]`;

describe('one gate for synth, validate and the cdk8s plugin', () => {
  it('report the same errors on the same broken tree', async () => {
    alsoInCertManager((chart) => {
      // two defects of different rules: an unknown field (schema), a Secret nothing creates (secret-references)
      new ApiObject(chart, 'Broken', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'broken', namespace: 'cert-manager' }, dataz: { a: 'b' } } as never);
      new ApiObject(chart, 'Reader', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'reader', namespace: 'cert-manager' },
        spec: { containers: [{ name: 'c', image: 'busybox:1.37', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nowhere', key: 'k' } } }] }] },
      } as never);
    });
    const synth = synthesize({ environments: ENVIRONMENTS, today: TEST_TODAY });
    expect(synth.ok).toBe(false);
    const fromSynth = (synth.ok ? [] : (synth.gateErrors ?? [])).map(key).sort();
    expect(fromSynth.some((e) => e.endsWith('[schema]'))).toBe(true);
    expect(fromSynth.some((e) => e.endsWith('[secret-references]'))).toBe(true);

    const dir = join(mkdtempSync(join(tmpdir(), 'one-gate-')), 'dist');
    writeTreeAtomically(dir, distFiles(buildPlatform(ENVIRONMENTS, { today: TEST_TODAY })));
    expect(validateDirectory(dir).report.errors.map(key).sort()).toEqual(fromSynth);

    // The plugin as the cdk8s CLI loads it (CommonJS), on the files the CLI hands it: its one smoke run.
    const { PlatformGate } = createRequire(import.meta.url)('../../charts/cdk8s-validation-plugin.cjs');
    const violations: { ruleName: string; violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[]; recommendation: string }[] = [];
    let status = '';
    const { readdirSync } = await import('node:fs');
    const manifests = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
    await new PlatformGate().validate({
      manifests,
      logger: { log: () => {} },
      report: { addViolation: (v: (typeof violations)[number]) => violations.push(v), submit: (s: string) => (status = s) },
    });
    expect(status).toBe('failure');
    const fromPlugin = violations.flatMap((v) => v.recommendation.split('\n').map((line, i) => `${v.violatingResources[i]!.manifestPath.slice(dir.length + 1)} ${line} [${v.ruleName}]`)).sort();
    // `file: object at field: message` → the plugin's `file object at field: message` (no ` at ` without a field)
    expect(fromPlugin).toEqual(fromSynth.map((e) => e.replace(': ', ' ').replace(/^(\S+) (.*) at : /, '$1 $2: ')).sort());
  });

  it('a construct whose addValidation fails stops synth, naming its path', () => {
    alsoInCertManager((chart) => {
      const guarded = new Construct(chart, 'Guarded');
      guarded.node.addValidation({ validate: () => ['this construct is never valid'] });
    });
    const synth = synthesize({ environments: ENVIRONMENTS, today: TEST_TODAY });
    expect(synth).toEqual({ ok: false, problems: 'configuration problems (1):\n  prod › cert-manager/Guarded: this construct is never valid (construct validation)' });
  });
});
