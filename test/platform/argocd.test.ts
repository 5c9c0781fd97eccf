import { describe, expect, it } from 'vitest';
import { ArgoCd, argoCdRbac, APPLICATION_HEALTH_LUA } from '../../charts/platform/argocd/argocd.ts';
import { PLATFORM } from '../../charts/environments/platform.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

/** Does an AppProject let an Application deploy to `server`/`namespace`? (Argo CD's glob match on destinations.) */
function projectPermits(project: any, server: string, namespace: string): boolean {
  const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);
  return (project.spec.destinations ?? []).some((d: any) => d.server !== undefined && glob(d.server, server) && glob(d.namespace ?? '*', namespace));
}

const IN_CLUSTER = 'https://kubernetes.default.svc';

describe('ArgoCd', () => {
  const chart = testChart('prod', 'argocd');
  new ArgoCd(chart, 'ArgoCd');
  const objects = objectsOf(chart);
  const app = find(objects, 'Application', 'prod-argocd-chart');
  const values = app.spec.source.helm.valuesObject;

  it('installs the pinned chart with the Argo CD image of the catalogue, in a restricted namespace', () => {
    expect(app.spec.source).toMatchObject({ repoURL: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', targetRevision: '7.9.1' });
    expect(app.spec.source.helm.releaseName).toBe('argocd');
    expect(values.global).toEqual({ domain: 'argocd.omni.cedille.club', image: { tag: 'v2.14.21' } });
    expect(app.spec.destination).toEqual({ server: IN_CLUSTER, namespace: 'argocd' });
    expect(app.spec.project).toBe('prod');
    expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('configures URL, no local admin, 180 s reconciliation and the Application health check', () => {
    expect(values.configs.cm).toMatchObject({
      url: 'https://argocd.omni.cedille.club',
      'admin.enabled': false,
      'timeout.reconciliation': '180s',
      'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA,
    });
    expect(APPLICATION_HEALTH_LUA).toContain('hs.status = obj.status.health.status');
    expect(values.configs.params).toEqual({ 'server.insecure': true });
  });

  it('logs in through Dex restricted to the organisation, with the client secret from Vault', () => {
    const dex = values.configs.cm['dex.config'] as string;
    expect(dex).toContain('type: github');
    expect(dex).toContain(`clientID: ${PLATFORM.oauthClientIds.argocdDex}`);
    expect(dex).toContain('clientSecret: $argocd-dex-github:clientSecret');
    expect(dex).toContain('- name: ClubCedille');
    expect(dex).toContain('teamNameField: slug');
    const secret = find(objects, 'ExternalSecret', 'argocd-dex-github', 'argocd');
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-kv-system' });
    expect(secret.spec.data).toEqual([{ secretKey: 'clientSecret', remoteRef: { key: 'argocd/dex', property: 'client-secret' } }]);
    // Argo CD only resolves $<secret>:<key> in Secrets labelled part-of argocd.
    expect(secret.spec.target.template.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'argocd' });
  });

  it('maps the teams to roles: everyone reads, sre operates, exec administers', () => {
    expect(values.configs.rbac).toEqual(argoCdRbac(PLATFORM.github));
    expect(values.configs.rbac['policy.default']).toBe('role:readonly');
    expect(values.configs.rbac.scopes).toBe('[groups]');
    expect(values.configs.rbac['policy.csv'].trim().split('\n')).toEqual([
      'p, role:operators, applications, get, */*, allow',
      'p, role:operators, applications, sync, */*, allow',
      'p, role:operators, applications, action/*, */*, allow',
      'p, role:operators, applications, delete/*/Pod/*/*, */*, allow',
      'p, role:operators, logs, get, */*, allow',
      'p, role:operators, clusters, get, *, allow',
      'p, role:operators, certificates, get, *, allow',
      'p, role:operators, repositories, *, *, allow',
      'g, ClubCedille:sre, role:operators',
      'g, ClubCedille:exec, role:admin',
    ]);
  });

  it('runs the lovely plugin as a pinned, non-root repo-server sidecar', () => {
    const [sidecar] = values.repoServer.extraContainers;
    expect(sidecar.image).toBe('ghcr.io/crumbhole/argocd-lovely-plugin-cmp:1.2.2');
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, allowPrivilegeEscalation: false });
    expect(sidecar.volumeMounts).toEqual([
      { name: 'var-files', mountPath: '/var/run/argocd' },
      { name: 'plugins', mountPath: '/home/argocd/cmp-server/plugins' },
      { name: 'lovely-tmp', mountPath: '/tmp' },
    ]);
    expect(values.repoServer.volumes).toEqual([{ name: 'lovely-tmp', emptyDir: {} }]);
  });

  it('serves the UI and the CLI gRPC (h2c) through the Gateway with a prod certificate', () => {
    expect(values.server.service.servicePortHttpsAppProtocol).toBe('kubernetes.io/h2c');
    const route = find(objects, 'HTTPRoute', 'argocd-server', 'argocd');
    expect(route.spec.hostnames).toEqual(['argocd.omni.cedille.club']);
    expect(route.spec.parentRefs[0]).toMatchObject({ name: 'platform', namespace: 'gateway', sectionName: 'https-argocd' });
    const [ui, grpc] = route.spec.rules;
    expect(ui.backendRefs).toEqual([{ name: 'argocd-server', port: 80 }]);
    expect(grpc.matches[0].headers).toEqual([{ type: 'Exact', name: 'content-type', value: 'application/grpc' }]);
    expect(grpc.backendRefs).toEqual([{ name: 'argocd-server', port: 443 }]);
    const certificate = find(objects, 'Certificate', 'argocd', 'gateway');
    expect(certificate.spec.issuerRef.name).toBe('letsencrypt-prod');
  });

  it('puts no Secret with data and no credential in the folder', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('fails when the host is not one DNS label', () => {
    expect(configErrors(() => new ArgoCd(testChart('prod', 'argocd'), 'ArgoCd', { host: 'argo.cd' }))).toEqual([
      'prod › argocd/ArgoCd: host is "argo.cd" but Argo CD is served on one name directly under omni.cedille.club; give one DNS label, e.g. "argocd"',
    ]);
  });

  it('fails when the reconciliation is not a duration', () => {
    expect(configErrors(() => new ArgoCd(testChart('prod', 'argocd'), 'ArgoCd', { reconciliation: '3 minutes' }))).toEqual([
      'prod › argocd/ArgoCd: reconciliation is "3 minutes" but Argo CD reads a duration in seconds or minutes; write it like "180s" or "3m"',
    ]);
  });

  it('fails when enabled in a vcluster', () => {
    expect(configErrors(() => new ArgoCd(testChart('staging', 'argocd'), 'ArgoCd'))).toEqual([
      'staging › argocd/ArgoCd: services.argocd is "staging" but Argo CD runs once, on the host cluster; staging is a vcluster whose Applications the host\'s Argo CD syncs; remove argocd from staging\'s services',
    ]);
  });
});

describe('AppProjects', () => {
  const b = realBuild();
  const root = (env: string) => manifestsOf(b, env, 'root').map((m) => m.object);
  const project = (env: string, name: string) => find(root(env), 'AppProject', name);
  const staging = 'https://staging.vcluster-staging.svc:443';
  const sandbox = 'https://sandbox.vcluster-sandbox.svc:443';
  const epsot = 'https://sandbox-epsot.sandbox-epsot.svc:443';
  const svcUser = 'https://sandbox-svc-cedille-user.sandbox-svc-cedille-user.svc:443';

  it('prod deploys to the host only', () => {
    const prod = project('prod', 'prod');
    expect(prod.spec.destinations).toEqual([{ server: IN_CLUSTER, namespace: '*' }]);
    for (const server of [staging, sandbox, epsot]) expect(projectPermits(prod, server, 'default')).toBe(false);
  });

  it('staging deploys to the staging vcluster only', () => {
    const p = project('staging', 'staging');
    expect(projectPermits(p, staging, 'anything')).toBe(true);
    for (const server of [IN_CLUSTER, sandbox, epsot]) expect(projectPermits(p, server, 'default')).toBe(false);
  });

  it('a sandbox project cannot reach prod, staging or another sandbox', () => {
    const shared = project('sandbox', 'sandbox');
    expect(projectPermits(shared, sandbox, 'default')).toBe(true);
    for (const server of [IN_CLUSTER, staging, epsot, svcUser]) expect(projectPermits(shared, server, 'default')).toBe(false);

    const own = project('sandbox', 'sandbox-epsot');
    expect(own.spec.destinations).toEqual([{ server: epsot, namespace: '*' }]);
    for (const server of [IN_CLUSTER, staging, sandbox, svcUser]) {
      for (const namespace of ['argocd', 'kube-system', 'default']) expect(projectPermits(own, server, namespace)).toBe(false);
    }
  });

  it("restricts sources to our repository, the pinned upstreams in use and a user's own repositories", () => {
    const repo = 'https://github.com/ClubCedille/Plateforme-Cedille';
    // Exactly the repositories prod's Applications read: ours and the pinned upstreams in use.
    const used = new Set(
      root('prod')
        .filter((o) => o.kind === 'Application')
        .map((o: any) => o.spec.source.repoURL),
    );
    expect(new Set(project('prod', 'prod').spec.sourceRepos)).toEqual(used);
    expect(project('prod', 'prod').spec.sourceRepos).toEqual(expect.arrayContaining([repo, 'https://argoproj.github.io/argo-helm', 'https://charts.loft.sh']));
    const sandboxUpstreams = ['https://charts.jetstack.io', 'https://github.com/kubernetes-sigs/gateway-api', 'https://github.com/projectcontour/contour'];
    expect(project('sandbox', 'sandbox').spec.sourceRepos).toEqual([repo, ...sandboxUpstreams]);
    expect(project('sandbox', 'sandbox-epsot').spec.sourceRepos).toEqual([repo, ...sandboxUpstreams, 'https://github.com/epsot/*']);
    for (const env of ['prod', 'staging', 'sandbox']) {
      for (const p of root(env).filter((o) => o.kind === 'AppProject')) {
        expect((p as any).spec.sourceRepos).not.toContain('*');
      }
    }
  });

  it("every Application belongs to its environment's project", () => {
    for (const env of ['prod', 'staging', 'sandbox']) {
      for (const app of root(env).filter((o) => o.kind === 'Application')) {
        const name = (app as any).spec.project;
        // The hand-applied root is in Argo CD's default project (roots.ts BOOTSTRAP_PROJECT).
        if ((app as any).metadata.name === 'prod-root') {
          expect(name).toBe('default');
          continue;
        }
        const p = find(root(name === 'prod' ? 'prod' : env), 'AppProject', name);
        expect(projectPermits(p, (app as any).spec.destination.server, (app as any).spec.destination.namespace ?? 'default')).toBe(true);
      }
    }
  });

  it('no Secret with data anywhere', () => {
    for (const m of b.manifests) {
      if (m.object.kind === 'Secret') expect(m.object.data ?? m.object.stringData).toBeUndefined();
    }
  });
});
