import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDistAtRef } from '../../tools/dist-tree.ts';
import { quantity } from '../../tools/destructive.ts';
import { countsByEnvironment, diffDist, formatDiffMarkdown, formatDiffText, type DiffReport } from '../../tools/diff.ts';
import { diffValues, formatChange, formatPath } from '../../tools/field-diff.ts';
import { deployment, git, obj, tempRepo, tree, writeFiles } from './fixtures.ts';

const APP = 'prod/web/deployment-web.yaml';

function findings(report: DiffReport): string[] {
  return report.changes.flatMap((c) => c.findings.map((f) => `${c.identity.kind}/${c.identity.name} ${f.severity}${f.field ? ` ${f.field}` : ''}`));
}

function fieldLines(report: DiffReport): string[] {
  return report.changes.flatMap((c) => c.fields.map((f) => formatChange(f)));
}

describe('field diff', () => {
  it('names list elements by their name, quotes keys with dots, keeps scalar lists whole', () => {
    const before = {
      metadata: { labels: { 'app.kubernetes.io/name': 'a' } },
      args: ['--a'],
      containers: [
        { name: 'x', image: '1' },
        { name: 'y', image: '2' },
      ],
    };
    const after = {
      metadata: { labels: { 'app.kubernetes.io/name': 'b' } },
      args: ['--a', '--b'],
      containers: [
        { name: 'y', image: '3' },
        { name: 'x', image: '1' },
      ],
    };
    expect(diffValues(before, after).map((c) => formatChange(c))).toEqual(['args: + "--b"', 'containers[name=y].image: "2" → "3"', 'metadata.labels["app.kubernetes.io/name"]: "a" → "b"']);
    expect(formatPath(['rules', 0, 'host'])).toBe('rules[0].host');
    expect(diffValues({ repos: ['a', 'b', 'c'] }, { repos: ['c', 'd', 'a'] }).map((c) => formatChange(c))).toEqual(['repos: + "d", - "b"']);
    expect(diffValues({ repos: ['a', 'b'] }, { repos: ['b', 'a'] }).map((c) => formatChange(c))).toEqual(['repos: reordered (["b","a"])']);
  });

  it('truncates long values and shows the first differing line of multi-line strings', () => {
    const long = 'x'.repeat(200);
    expect(formatChange({ path: ['a'], change: 'changed', before: long, after: 'y' })).toBe(`a: "${'x'.repeat(58)}… → "y"`);
    expect(formatChange({ path: ['cfg'], change: 'changed', before: 'a\nb\nc', after: 'a\nB\nc\nd' })).toBe('cfg: line 2: "b" → "B" (3 → 4 lines)');
    expect(formatChange({ path: ['spec', 'x'], change: 'added', after: { a: 1, b: 2 } })).toBe('spec.x: + {a, b}');
  });
});

describe('dist diff', () => {
  it('matches objects by identity, not by file name: a moved file is no change', () => {
    const report = diffDist(tree({ [APP]: deployment('web') }), tree({ 'prod/web/renamed-file.yaml': deployment('web') }));
    expect(report.changes).toEqual([]);
    expect(formatDiffText(report, { title: 'a → b' })).toBe('dist/ diff: a → b\nno differences\n');
  });

  it('reports added, removed and changed objects per environment and service with field paths', () => {
    const before = tree({
      [APP]: deployment('web'),
      'prod/web/configmap-old.yaml': obj('v1', 'ConfigMap', 'old', { data: { a: '1' } }, 'apps'),
      'staging/web/deployment-web.yaml': deployment('web'),
      'README.md': 'one',
    });
    const after = tree({
      [APP]: deployment('web', { image: 'ghcr.io/clubcedille/app:1.1.0', replicas: 2 }),
      'prod/web/service-web.yaml': obj('v1', 'Service', 'web', { spec: { ports: [{ port: 80 }] } }, 'apps'),
      'staging/web/deployment-web.yaml': deployment('web'),
      'README.md': 'two',
    });
    const report = diffDist(before, after);
    expect(report.changes.map((c) => `${c.environment}/${c.folder} ${c.change} ${c.identity.kind} ${c.identity.namespace}/${c.identity.name}`)).toEqual([
      'prod/web removed ConfigMap apps/old',
      'prod/web changed Deployment apps/web',
      'prod/web added Service apps/web',
    ]);
    expect(fieldLines(report)).toEqual(['spec.replicas: 1 → 2', 'spec.template.spec.containers[name=app].image: "ghcr.io/clubcedille/app:1.0.0" → "ghcr.io/clubcedille/app:1.1.0"']);
    expect(findings(report)).toEqual([]);
    expect(Object.fromEntries(countsByEnvironment(report))).toEqual({ prod: { added: 1, changed: 1, removed: 1 } });
    expect(report.files).toEqual([{ path: 'README.md', change: 'changed', linesAdded: 1, linesRemoved: 1 }]);
    const text = formatDiffText(report, { title: 'HEAD → working copy' });
    expect(text).toContain('prod: +1 ~1 -1\n  web/\n    - ConfigMap apps/old\n    ~ Deployment.apps apps/web\n        spec.replicas: 1 → 2');
    expect(text).toContain('no change is rejected by Kubernetes or replaces an object');
  });

  it('an apiVersion bump of the same group is a change, not a new object', () => {
    const before = tree({ 'prod/gw/httproute-a.yaml': obj('gateway.networking.k8s.io/v1beta1', 'HTTPRoute', 'a', { spec: {} }, 'web') });
    const after = tree({ 'prod/gw/httproute-a.yaml': obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'a', { spec: {} }, 'web') });
    expect(fieldLines(diffDist(before, after))).toEqual(['apiVersion: "gateway.networking.k8s.io/v1beta1" → "gateway.networking.k8s.io/v1"']);
  });

  it('flags a renamed object as a delete plus a create', () => {
    const report = diffDist(tree({ [APP]: deployment('web') }), tree({ [APP]: deployment('website', { selector: { app: 'web' } }) }));
    expect(report.changes.map((c) => `${c.change} ${c.identity.name}`)).toEqual(['removed web', 'added website']);
    expect(findings(report)).toEqual(['Deployment/web replaced', 'Deployment/website replaced']);
    const text = formatDiffText(report, { title: 't' });
    expect(text).toContain('REPLACED: renamed to Deployment.apps apps/website: Kubernetes deletes this object and creates a new one');
    // The summary lists the rename once.
    expect(text).toContain('1 object(s) need care');
  });

  it('a namespace change is a rename too; unrelated objects of the same kind are not paired', () => {
    const moved = diffDist(tree({ [APP]: deployment('web') }), tree({ [APP]: { ...deployment('web'), metadata: { ...deployment('web').metadata, namespace: 'web' } } }));
    expect(findings(moved)).toEqual(['Deployment/web replaced', 'Deployment/web replaced']);
    const unrelated = diffDist(
      tree({ 'prod/a/configmap-a.yaml': obj('v1', 'ConfigMap', 'a', { data: { one: '1', two: '2' } }, 'x') }),
      tree({ 'prod/a/configmap-b.yaml': obj('v1', 'ConfigMap', 'b', { data: { three: '3', four: '4' } }, 'y', 'prod') }),
    );
    expect(findings(unrelated)).toEqual([]);
  });

  it('flags an object that moves to another service folder (another Application owns it)', () => {
    const report = diffDist(tree({ [APP]: deployment('web') }), tree({ 'prod/other/deployment-web.yaml': deployment('web') }));
    expect(report.changes.map((c) => `${c.change} ${c.folder}`)).toEqual(['changed other']);
    expect(report.changes[0]!.findings[0]!.message).toMatch(/^moved from folder web to other/);
  });

  describe('changes Kubernetes rejects', () => {
    it('Deployment selector', () => {
      const report = diffDist(tree({ [APP]: deployment('web') }), tree({ [APP]: deployment('web', { selector: { app: 'web', tier: 'front' } }) }));
      expect(findings(report)).toEqual(['Deployment/web rejected spec.selector']);
      expect(report.changes[0]!.findings[0]!.message).toBe('spec.selector.matchLabels.tier: + "front": the selector is immutable; delete and re-create it (Argo CD sync option Replace=true), or keep the old value');
    });

    const sts = (spec: Record<string, unknown>) =>
      obj(
        'apps/v1',
        'StatefulSet',
        'db',
        { spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'mayastor' } }], ...spec } },
        'db',
      );
    it('StatefulSet volumeClaimTemplates and serviceName, not replicas', () => {
      const before = tree({ 'prod/db/statefulset-db.yaml': sts({}) });
      const after = tree({
        'prod/db/statefulset-db.yaml': sts({ replicas: 3, serviceName: 'db-headless', volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'local-hostpath' } }] }),
      });
      expect(findings(diffDist(before, after))).toEqual(['StatefulSet/db rejected spec.serviceName', 'StatefulSet/db rejected spec.volumeClaimTemplates']);
      expect(findings(diffDist(before, tree({ 'prod/db/statefulset-db.yaml': sts({ replicas: 3 }) })))).toEqual([]);
    });

    it('StorageClass parameters, provisioner, reclaimPolicy, volumeBindingMode; not allowVolumeExpansion', () => {
      const sc = (extra: Record<string, unknown>) =>
        obj('storage.k8s.io/v1', 'StorageClass', 'mayastor', { provisioner: 'io.openebs.csi-mayastor', parameters: { repl: '2' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', ...extra });
      const path = 'prod/storage/storageclass-mayastor.yaml';
      const report = diffDist(tree({ [path]: sc({}) }), tree({ [path]: sc({ parameters: { repl: '3' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', provisioner: 'x' }) }));
      expect(findings(report)).toEqual([
        'StorageClass/mayastor rejected parameters',
        'StorageClass/mayastor rejected provisioner',
        'StorageClass/mayastor rejected reclaimPolicy',
        'StorageClass/mayastor rejected volumeBindingMode',
      ]);
      expect(findings(diffDist(tree({ [path]: sc({}) }), tree({ [path]: sc({ allowVolumeExpansion: true }) })))).toEqual([]);
    });

    it("a PVC's class, and a PVC that shrinks; growing is fine", () => {
      const pvc = (storageClassName: string, size: string) =>
        obj('v1', 'PersistentVolumeClaim', 'data', { spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } }, 'grafana');
      const path = 'prod/grafana/persistentvolumeclaim-data.yaml';
      expect(findings(diffDist(tree({ [path]: pvc('mayastor', '10Gi') }), tree({ [path]: pvc('local-hostpath', '10Gi') })))).toEqual(['PersistentVolumeClaim/data rejected spec.storageClassName']);
      expect(findings(diffDist(tree({ [path]: pvc('mayastor', '10Gi') }), tree({ [path]: pvc('mayastor', '5Gi') })))).toEqual(['PersistentVolumeClaim/data rejected spec.resources.requests.storage']);
      expect(findings(diffDist(tree({ [path]: pvc('mayastor', '10Gi') }), tree({ [path]: pvc('mayastor', '20Gi') })))).toEqual([]);
      expect([quantity('10Gi'), quantity('500M'), quantity('1.5'), quantity('abc')]).toEqual([10 * 2 ** 30, 5e8, 1.5, undefined]);
    });

    it('Service clusterIP, Job template, binding roleRef, immutable ConfigMap data', () => {
      const cases: [string, unknown, unknown, string][] = [
        ['prod/x/service-s.yaml', obj('v1', 'Service', 's', { spec: { clusterIP: '10.0.0.1' } }, 'x'), obj('v1', 'Service', 's', { spec: { clusterIP: '10.0.0.2' } }, 'x'), 'Service/s rejected spec.clusterIP'],
        [
          'prod/x/job-j.yaml',
          obj('batch/v1', 'Job', 'j', { spec: { template: { spec: { containers: [{ name: 'c', image: 'a:1' }] } } } }, 'x'),
          obj('batch/v1', 'Job', 'j', { spec: { template: { spec: { containers: [{ name: 'c', image: 'a:2' }] } } } }, 'x'),
          'Job/j rejected spec.template',
        ],
        [
          'prod/x/rolebinding-r.yaml',
          obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'r', { roleRef: { kind: 'Role', name: 'a' } }, 'x'),
          obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'r', { roleRef: { kind: 'Role', name: 'b' } }, 'x'),
          'RoleBinding/r rejected roleRef',
        ],
        ['prod/x/configmap-c.yaml', obj('v1', 'ConfigMap', 'c', { immutable: true, data: { a: '1' } }, 'x'), obj('v1', 'ConfigMap', 'c', { immutable: true, data: { a: '2' } }, 'x'), 'ConfigMap/c rejected data'],
        [
          'prod/x/gatewayclass-g.yaml',
          obj('gateway.networking.k8s.io/v1', 'GatewayClass', 'g', { spec: { controllerName: 'a' } }),
          obj('gateway.networking.k8s.io/v1', 'GatewayClass', 'g', { spec: { controllerName: 'b' } }),
          'GatewayClass/g rejected spec.controllerName',
        ],
      ];
      for (const [path, before, after, expected] of cases) expect(findings(diffDist(tree({ [path]: before }), tree({ [path]: after })))).toEqual([expected]);
      // A mutable ConfigMap may change freely.
      expect(
        findings(diffDist(tree({ 'prod/x/configmap-c.yaml': obj('v1', 'ConfigMap', 'c', { data: { a: '1' } }, 'x') }), tree({ 'prod/x/configmap-c.yaml': obj('v1', 'ConfigMap', 'c', { data: { a: '2' } }, 'x') }))),
      ).toEqual([]);
    });
  });

  it('flags removals that delete more than the object: Namespace, PVC, CRD, Application with the resources finalizer', () => {
    const before = tree({
      'prod/x/namespace-x.yaml': obj('v1', 'Namespace', 'x'),
      'prod/x/crd.yaml': obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'things.example.com', { spec: { group: 'example.com' } }),
      'prod/root/application-prod-x.yaml': obj('argoproj.io/v1alpha1', 'Application', 'prod-x', { spec: {} }, 'argocd'),
      'prod/root/application-prod-y.yaml': {
        ...obj('argoproj.io/v1alpha1', 'Application', 'prod-y', { spec: {} }, 'argocd'),
        metadata: { name: 'prod-y', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      },
    });
    const report = diffDist(before, tree({}));
    expect(findings(report)).toEqual(['Application/prod-y deletes', 'CustomResourceDefinition/things.example.com deletes', 'Namespace/x deletes']);
    const markdown = formatDiffMarkdown(report, { title: 'main → this PR' });
    expect(markdown).toContain('| environment | added | changed | removed |\n|---|---:|---:|---:|\n| prod | 0 | 0 | 4 |');
    expect(markdown).toContain('- **DELETES** `prod/x` `Namespace x`: deleting a Namespace deletes every object in it');
    expect(markdown).toContain('<details><summary><b>prod</b> (+0 ~0 -4)</summary>');
  });

  it('cuts long markdown at a line, closing its code block and details', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`prod/x/configmap-c${i}.yaml`, obj('v1', 'ConfigMap', `c${i}`, { data: { a: String(i) } }, 'x')]));
    const markdown = formatDiffMarkdown(diffDist(tree({}), tree(many)), { title: 't', maxChars: 3000 });
    expect(markdown.length).toBeLessThan(3100);
    expect((markdown.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(markdown).toMatch(/```\n\n<\/details>\n\n_… cut at 3000 characters; run `npm run diff` for the rest._\n$/);
  });

  it('caps the fields listed per object', () => {
    const many = (v: number) => obj('v1', 'ConfigMap', 'c', { data: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${String(i).padStart(2, '0')}`, String(v)])) }, 'x');
    const text = formatDiffText(diffDist(tree({ 'prod/x/c.yaml': many(1) }), tree({ 'prod/x/c.yaml': many(2) })), { title: 't', maxFields: 3 });
    expect(text).toContain('        data.k02: "1" → "2"\n        … and 17 more field(s)');
  });

  it('diffs extra outputs (outside environment folders) as files, field by field when they parse', () => {
    const meta = (envs: string[]) => JSON.stringify({ environments: envs.map((name) => ({ name })) });
    const before = tree({
      'metadata.json': meta(['prod']),
      'prod/root/appproject-prod.yaml': obj('argoproj.io/v1alpha1', 'AppProject', 'prod', { spec: {} }, 'argocd'),
      'talos/worker-1.yaml': 'machine:\n  sysctls:\n    vm.nr_hugepages: "1024"\n',
      'releases/prod-x/kustomization.yaml': 'resources:\n  - a.yaml\n',
    });
    const after = tree({
      'metadata.json': meta(['prod']),
      'prod/root/appproject-prod.yaml': obj('argoproj.io/v1alpha1', 'AppProject', 'prod', { spec: {} }, 'argocd'),
      'talos/worker-1.yaml': 'machine:\n  sysctls:\n    vm.nr_hugepages: "2048"\n',
      'releases/prod-x/kustomization.yaml': 'resources:\n  - a.yaml\n',
    });
    const report = diffDist(before, after);
    expect(report.changes).toEqual([]);
    expect(report.unreadable).toEqual([]);
    expect(report.files.map((f) => [f.path, f.change, f.fields?.map((c) => formatChange(c))])).toEqual([['talos/worker-1.yaml', 'changed', ['machine.sysctls["vm.nr_hugepages"]: "1024" → "2048"']]]);
    expect(formatDiffText(report, { title: 't' })).toContain('other files:\n  ~ talos/worker-1.yaml (+1 -1 lines)\n        machine.sysctls["vm.nr_hugepages"]: "1024" → "2048"');
  });

  it('reports manifests it cannot read instead of failing', () => {
    const report = diffDist(tree({}), tree({ 'prod/x/bad.yaml': 'a: [unclosed', 'prod/x/notk8s.yaml': 'hello: world\n' }));
    expect(report.unreadable.map((u) => `${u.side} ${u.path}`)).toEqual(['after prod/x/bad.yaml', 'after prod/x/notk8s.yaml']);
  });

  it('reads dist/ of a commit, and the dist branch layout without its PROVENANCE', () => {
    const repo = tempRepo();
    try {
      writeFiles(join(repo, 'dist'), tree({ [APP]: deployment('web'), 'README.md': 'r' }));
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'source');
      expect([...readDistAtRef(repo, 'HEAD').keys()]).toEqual(['README.md', APP]);
      git(repo, 'checkout', '-q', '--orphan', 'published');
      git(repo, 'rm', '-rq', '--cached', '.');
      rmSync(join(repo, 'dist'), { recursive: true });
      writeFiles(repo, tree({ [APP]: deployment('web'), PROVENANCE: 'source-commit: x' }));
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'dist');
      expect([...readDistAtRef(repo, 'published').keys()]).toEqual([APP]);
      expect(readDistAtRef(repo, 'published').get(APP)).toContain('name: web');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
