import { describe, expect, it } from 'vitest';
import { serviceLevels } from '../../charts/app/service-waves.ts';
import { find, manifestsOf, realBuild } from '../helpers.ts';

describe('environment roots', () => {
  const b = realBuild();
  const root = (env: string) => manifestsOf(b, env, 'root').map((m) => m.object);

  it('prod root manages itself and deploys the hosted environments last', () => {
    const self = find(root('prod'), 'Application', 'prod-root');
    // Applied by hand before its own project exists: Argo CD's default project (B1).
    expect(self.spec.project).toBe('default');
    expect(self.spec.source).toMatchObject({ repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', targetRevision: 'dist', path: 'prod/root' });
    expect(self.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    // Last, except the folders that serve the hosted environments (hosted-edges), synced alongside.
    const waves = root('prod')
      .filter((o) => o.kind === 'Application' && !o.metadata.name.endsWith('-root') && o.metadata.name !== 'prod-hosted-edges')
      .map((o) => Number(o.metadata.annotations!['argocd.argoproj.io/sync-wave']));
    for (const hosted of ['staging-root', 'sandbox-root']) {
      const app = find(root('prod'), 'Application', hosted);
      expect(app.spec.source.path).toBe(`${hosted.replace('-root', '')}/root`);
      expect(Number(app.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(Math.max(...waves));
    }
  });

  it('one Application per service folder, reading <env>/<service> of the dist branch', () => {
    for (const env of ['prod', 'staging', 'sandbox']) {
      const folders = new Set(
        manifestsOf(b, env)
          .filter((m) => m.folder !== 'root')
          .map((m) => m.folder),
      );
      // `-release` Applications also read the dist branch: the generated kustomization of upstream release assets.
      const folderApps = root(env).filter((o) => o.kind === 'Application' && (o as any).spec.source.targetRevision === 'dist' && !o.metadata.name.endsWith('-root') && !o.metadata.name.endsWith('-release'));
      expect(folderApps.map((o) => (o as any).spec.source.path).sort()).toEqual([...folders].map((f) => `${env}/${f}`).sort());
    }
  });

  it('staging Applications deploy to the staging vcluster within the staging project', () => {
    for (const app of root('staging').filter((o) => o.kind === 'Application')) {
      expect((app as any).spec.project).toBe('staging');
      expect((app as any).spec.destination.server).toBe('https://staging.vcluster-staging.svc:443');
    }
    const project = find(root('staging'), 'AppProject', 'staging');
    expect(project.spec.destinations).toEqual([{ server: 'https://staging.vcluster-staging.svc:443', namespace: '*' }]);
    expect(project.spec.sourceRepos).toContain('https://github.com/ClubCedille/Plateforme-Cedille');
    expect(project.spec.sourceRepos).toContain('https://charts.jetstack.io');
  });

  it('a service folder syncs after its upstream charts', () => {
    const chart = find(root('prod'), 'Application', 'prod-cert-manager-chart');
    const folder = find(root('prod'), 'Application', 'prod-cert-manager');
    expect(Number(folder.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(Number(chart.metadata.annotations['argocd.argoproj.io/sync-wave']));
  });
});

describe('service levels', () => {
  it('order services after what they depend on', () => {
    expect(serviceLevels({ a: { dependsOn: [] }, b: { dependsOn: ['a'] }, c: { dependsOn: ['b', 'a'] } })).toEqual(
      new Map([
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ]),
    );
  });

  it('reject cycles and unknown services', () => {
    expect(() => serviceLevels({ a: { dependsOn: ['b'] }, b: { dependsOn: ['a'] } })).toThrow(
      'all environments › charts/platform/registry.ts: dependsOn forms a cycle a → b → a, so no service of it can sync first; remove one of these dependencies',
    );
    expect(() => serviceLevels({ a: { dependsOn: ['nope'] } })).toThrow(
      'all environments › charts/platform/registry.ts: a.dependsOn is "nope" but no service of the registry has that name; fix the name or add the service',
    );
  });
});
