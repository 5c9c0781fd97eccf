import { describe, expect, it } from 'vitest';
import { CheckovError, applyWaivers, describeUnused, originOf, waiverErrors, type CheckovFinding, type CheckovWaiver } from '../../tools/peers/checkov.ts';
import { CHECKOV_WAIVERS } from '../../tools/peers/checkov-waivers.ts';

const REASON = 'a reason long enough to say why the platform accepts it';

function finding(check: string, resource: string, file = 'prod/mesh/daemonset-merbridge.yaml'): CheckovFinding {
  return { check, name: check, resource, file, origin: originOf(file) };
}

const merbridge = finding('CKV_K8S_16', 'DaemonSet.merbridge.merbridge');
const chartPod = finding('CKV_K8S_16', 'DaemonSet.openebs.openebs-io-engine', 'prod/rendered/prod-openebs-chart_rendered_daemonset.yaml');

describe('Checkov waivers', () => {
  it('tells rendered chart files from our own dist files', () => {
    expect(originOf('prod/rendered/x.yaml')).toBe('charts');
    expect(originOf('/staging/rendered/x.yaml')).toBe('charts');
    expect(originOf('prod/mesh/daemonset-merbridge.yaml')).toBe('ours');
  });

  it('leaves an unwaived finding open', () => {
    const result = applyWaivers([merbridge], []);
    expect(result.open).toEqual([merbridge]);
    expect(result.waived).toEqual([]);
  });

  it('leaves a finding open when only another check, origin or resource is waived', () => {
    const waivers: CheckovWaiver[] = [
      { check: 'CKV_K8S_19', from: 'both', resources: 'all', reason: REASON },
      { check: 'CKV_K8S_16', from: 'charts', resources: 'all', reason: REASON },
      { check: 'CKV_K8S_16', from: 'ours', resources: [/^DaemonSet\.other\./], reason: REASON },
    ];
    const result = applyWaivers([merbridge], waivers);
    expect(result.open).toEqual([merbridge]);
    expect(result.unused.map((u) => u.waiver.check)).toEqual(['CKV_K8S_19', 'CKV_K8S_16', 'CKV_K8S_16']);
  });

  it('waives by pattern, by pattern list and for all resources of one origin', () => {
    const other = finding('CKV_K8S_16', 'Deployment.sample.hotrod', 'staging/sample-app/deployment-hotrod.yaml');
    const result = applyWaivers(
      [merbridge, other, chartPod],
      [
        { check: 'CKV_K8S_16', from: 'ours', resources: [/^DaemonSet\.merbridge\./, /^Deployment\.sample\.hotrod$/], reason: REASON },
        { check: 'CKV_K8S_16', from: 'charts', resources: 'all', reason: REASON },
      ],
    );
    expect(result.open).toEqual([]);
    expect(result.waived).toHaveLength(3);
    expect(result.unused).toEqual([]);
  });

  it('reports a waiver that matches nothing, and each pattern of a list that matches nothing', () => {
    const stale: CheckovWaiver = { check: 'CKV_K8S_43', from: 'both', resources: 'all', reason: REASON };
    const partly: CheckovWaiver = { check: 'CKV_K8S_16', from: 'ours', resources: [/^DaemonSet\.merbridge\./, /^Deployment\.gone\./], reason: REASON };
    const result = applyWaivers([merbridge], [stale, partly]);
    expect(result.open).toEqual([]);
    expect(result.unused).toEqual([{ waiver: stale }, { waiver: partly, pattern: /^Deployment\.gone\./ }]);
    expect(describeUnused(result.unused[0]!)).toMatch(/CKV_K8S_43 .* matches nothing/);
    expect(describeUnused(result.unused[1]!)).toMatch(/pattern .*gone.* matches nothing/);
  });

  it('refuses a wildcard check, an empty pattern list and a missing reason', () => {
    const bad: CheckovWaiver[] = [
      { check: 'CKV_K8S_*', from: 'both', resources: 'all', reason: REASON },
      { check: 'CKV_K8S_16', from: 'ours', resources: [], reason: REASON },
      { check: 'CKV_K8S_16', from: 'ours', resources: 'all', reason: 'because' },
    ];
    expect(waiverErrors(bad)).toHaveLength(3);
    expect(() => applyWaivers([merbridge], bad)).toThrow(CheckovError);
  });

  it('the reviewed waiver file is well formed: one check id per entry, each with its reason', () => {
    expect(waiverErrors(CHECKOV_WAIVERS)).toEqual([]);
    expect(CHECKOV_WAIVERS.every((w) => /^CKV2?_K8S_\d+$/.test(w.check))).toBe(true);
  });
});
