import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { IntOrString, KubeConfigMap, KubeService } from 'cdk8s-plus-28/lib/imports/k8s.js';
import { describe, expect, it } from 'vitest';
import { withOneStepObjectJson } from '../../charts/lib/object-json.ts';
import { sortedCopy } from '../../charts/lib/render.ts';
import { ENVIRONMENTS } from '../../charts/environments/index.ts';
import { withSandboxUsers } from '../../tools/bench-users.ts';
import { build } from '../helpers.ts';

/**
 * Each object's JSON text (key order included) from cdk8s' own toJson, under CDK8S_DISABLE_SORT
 * unless `sorted`, then from the one-pass one.
 */
function bothWays(app: App, sorted = false): { cdk8s: string[]; onePass: string[] } {
  const objects = app.node.findAll().filter((node): node is ApiObject => node instanceof ApiObject);
  if (!sorted) process.env.CDK8S_DISABLE_SORT = '1';
  try {
    const cdk8s = objects.map((object) => JSON.stringify(object.toJson()));
    delete process.env.CDK8S_DISABLE_SORT;
    const onePass = withOneStepObjectJson(app, () => objects.map((object) => JSON.stringify(object.toJson())));
    return { cdk8s, onePass };
  } finally {
    delete process.env.CDK8S_DISABLE_SORT;
  }
}

function chart(app = new App({ outdir: 'unused' })): Chart {
  return new Chart(app, 'test', { labels: { team: 'sre' } });
}

describe('withOneStepObjectJson', () => {
  it('gives what cdk8s gives under CDK8S_DISABLE_SORT, key order included, for every object of the platform and of generated sandboxes', () => {
    const { app } = build(withSandboxUsers(ENVIRONMENTS, 3, '2026-12-30'));
    const { cdk8s, onePass } = bothWays(app);
    expect(cdk8s.length).toBeGreaterThan(300);
    expect(onePass).toEqual(cdk8s);
  });

  it('renders, once sorted, exactly what cdk8s renders with its own sort', () => {
    const { app } = build(withSandboxUsers(ENVIRONMENTS, 3, '2026-12-30'));
    const { cdk8s, onePass } = bothWays(app, true);
    expect(onePass.map((text) => JSON.stringify(sortedCopy(JSON.parse(text))))).toEqual(cdk8s.map((text) => JSON.stringify(sortedCopy(JSON.parse(text)))));
  });

  it('resolves what the built-in resolvers resolve: Lazy, implicit tokens, number-or-string unions; drops nulls and empty metadata', () => {
    const scope = chart();
    new KubeService(scope, 'svc', {
      metadata: { name: 'web', annotations: {}, finalizers: [] },
      spec: {
        ports: [
          { port: 80, targetPort: IntOrString.fromString('http') },
          { port: 81, targetPort: IntOrString.fromNumber(8081) },
        ],
        selector: Lazy.any({ produce: () => ({ app: 'web', tier: { resolve: () => 'front' } as unknown as string }) }) as unknown as Record<string, string>,
        externalIPs: [undefined as unknown as string, 'x'],
        sessionAffinity: null as unknown as string,
      },
    });
    const { cdk8s, onePass } = bothWays(scope.node.root as App);
    expect(onePass).toEqual(cdk8s);
    expect(JSON.parse(onePass[0]!)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { team: 'sre' } },
      spec: {
        externalIPs: [null, 'x'],
        ports: [
          { port: 80, targetPort: 'http' },
          { port: 81, targetPort: 8081 },
        ],
        selector: { app: 'web', tier: 'front' },
      },
    });
  });

  it('produces each Lazy once, and keeps holes and unchanged parts as cdk8s does', () => {
    const scope = chart();
    let produced = 0;
    const lazy = Lazy.any({ produce: () => `v${++produced}` });
    // biome-ignore lint/suspicious/noSparseArray: a hole before a token
    const args = ['a', , lazy, 'b'];
    new ApiObject(scope, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { same: { x: ['1', '2'] } }, args });
    const object = scope.node.findChild('cm') as ApiObject;
    const onePass = withOneStepObjectJson(scope.node.root as App, () => object.toJson()) as any;
    expect(produced).toBe(1);
    expect(0 in onePass.args && !(1 in onePass.args) && onePass.args.length === 4).toBe(true);
    expect(onePass.args[2]).toBe('v1');
    expect(onePass).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { team: 'sre' } }, data: { same: { x: ['1', '2'] } }, args: ['a', undefined, 'v1', 'b'] });
  });

  it("leaves JSON patches and custom resolvers to cdk8s' own code", () => {
    const patched = chart();
    new KubeConfigMap(patched, 'cm', { metadata: { name: 'cm' }, data: { b: '2', a: '1' } }).addJsonPatch(JsonPatch.add('/data/c', '3'));
    const withPatch = bothWays(patched.node.root as App, true);
    expect(withPatch.onePass).toEqual(withPatch.cdk8s);
    expect(JSON.parse(withPatch.onePass[0]!).data).toEqual({ a: '1', b: '2', c: '3' });

    const upper = {
      resolve: (context: { value: unknown; replaceValue: (v: unknown) => void }) => typeof context.value === 'string' && context.value !== context.value.toUpperCase() && context.replaceValue(context.value.toUpperCase()),
    };
    const custom = chart(new App({ outdir: 'unused', resolvers: [upper] }));
    new KubeConfigMap(custom, 'cm', { metadata: { name: 'cm' }, data: { a: 'x' } });
    expect((withOneStepObjectJson(custom.node.root as App, () => (custom.node.findChild('cm') as ApiObject).toJson()) as any).data.a).toBe('X');
  });

  it('keeps the order of the props (the final object is sorted once, by sortedCopy)', () => {
    const unsorted = chart();
    new KubeConfigMap(unsorted, 'cm', { metadata: { name: 'cm' }, data: { b: '2', a: '1' } });
    const { cdk8s, onePass } = bothWays(unsorted.node.root as App);
    expect(onePass).toEqual(cdk8s);
    expect(Object.keys(JSON.parse(onePass[0]!).data)).toEqual(['b', 'a']);
  });

  it("fails with cdk8s' own message on a value it cannot render, and puts cdk8s' toJson back", () => {
    const scope = chart();
    class Port {
      readonly number = 80;
    }
    new ApiObject(scope, 'bad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { port: new Port() } });
    const original = ApiObject.prototype.toJson;
    const message = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return 'nothing thrown';
    };
    const object = scope.node.findChild('bad') as ApiObject;
    const fromCdk8s = message(() => object.toJson());
    expect(fromCdk8s).toBe("Failed serializing construct at path 'test/bad' with name 'bad': Error: can't render non-simple object of type 'Port'");
    expect(message(() => withOneStepObjectJson(scope.node.root as App, () => object.toJson()))).toBe(fromCdk8s);
    expect(ApiObject.prototype.toJson).toBe(original);
  });
});
