import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import type { EnvironmentName } from '../../charts/environments/types.ts';
import type { KubeObject } from '../../charts/lib/manifest.ts';
import { PlatformChart } from '../../charts/lib/platform-chart.ts';
import { PlatformRoute } from '../../charts/lib/route.ts';
import { CertManager } from '../../charts/platform/cert-manager/cert-manager.ts';
import { Gateway, PROVISIONER_CLUSTER_RULES } from '../../charts/platform/gateway/gateway.ts';
import { configErrors, environment, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

const ENVIRONMENTS: EnvironmentName[] = ['prod', 'staging', 'sandbox'];

/** The gateway, cert-manager and a routed service of one environment, in one app, as after a build. */
function edgeWithRoutes(name: EnvironmentName, hosts: readonly string[] = ['grafana', 'argocd']): KubeObject[] {
  const app = new App({ outdir: 'unused' });
  const chart = (service: string) => new PlatformChart(app, `${name}-${service}`, { environment: environment(name), service, wave: 20 });
  const gateway = chart('gateway');
  new Gateway(gateway, 'Gateway');
  const certManager = chart('cert-manager');
  new CertManager(certManager, 'CertManager');
  const apps = chart('apps');
  const objects = (c: PlatformChart) => objectsOf(c);
  for (const host of hosts) {
    // A backend Service like the one a chart would create, so the reference can be checked.
    new PlatformRoute(apps, host, { host, namespace: host, backend: { service: `${host}-server`, port: 80 } });
  }
  const services: KubeObject[] = hosts.map((host) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `${host}-server`, namespace: host }, spec: { ports: [{ port: 80 }] } }));
  return [...objects(gateway), ...objects(certManager), ...objects(apps), ...services];
}

/** The Gateway CRD's CEL rules (x-kubernetes-validations of gateways.gateway.networking.k8s.io v1.2.1), as code. */
function gatewayCelViolations(gateway: any): string[] {
  const listeners: any[] = gateway.spec.listeners;
  const problems: string[] = [];
  if (listeners.length > 64) problems.push('at most 64 listeners');
  for (const l of listeners) {
    if (['HTTP', 'TCP', 'UDP'].includes(l.protocol) && l.tls) problems.push(`${l.name}: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']`);
    if (l.protocol === 'HTTPS' && l.tls && !['', 'Terminate', undefined].includes(l.tls.mode)) problems.push(`${l.name}: tls mode must be Terminate for protocol HTTPS`);
    if (['TCP', 'UDP'].includes(l.protocol) && l.hostname) problems.push(`${l.name}: hostname must not be specified`);
    if (l.tls?.mode === 'Terminate' && !(l.tls.certificateRefs?.length > 0)) problems.push(`${l.name}: certificateRefs or options must be specified when mode is Terminate`);
    if (listeners.filter((o) => o.name === l.name).length !== 1) problems.push(`${l.name}: Listener name must be unique within the Gateway`);
    if (listeners.filter((o) => o.port === l.port && o.protocol === l.protocol && o.hostname === l.hostname).length !== 1) {
      problems.push(`${l.name}: Combination of port, protocol and hostname must be unique for each listener`);
    }
  }
  return problems;
}

/** The HTTPRoute CRD's CEL rules that our routes could break. */
function httpRouteCelViolations(route: any): string[] {
  const problems: string[] = [];
  if ((route.spec.hostnames ?? []).length > 16) problems.push('at most 16 hostnames');
  for (const rule of route.spec.rules ?? []) {
    if ((rule.backendRefs ?? []).length > 0 && (rule.filters ?? []).some((f: any) => f.requestRedirect)) problems.push('RequestRedirect filter must not be used together with backendRefs');
    for (const ref of rule.backendRefs ?? []) if ((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service' && ref.port === undefined) problems.push('Must have port for Service reference');
    for (const match of rule.matches ?? []) if (['Exact', 'PathPrefix'].includes(match.path?.type) && !match.path.value.startsWith('/')) problems.push('value must be an absolute path');
  }
  return problems;
}

describe('Gateway', () => {
  it("installs only Contour's own CRDs, from 01-crds.yaml at the pinned tag", () => {
    const chart = testChart('prod', 'gateway');
    new Gateway(chart, 'Gateway');
    const app = find(objectsOf(chart), 'Application', 'prod-contour-crds-release');
    expect(app.spec.source).toEqual({
      repoURL: 'https://github.com/projectcontour/contour',
      path: 'examples/contour',
      targetRevision: 'v1.30.5',
      directory: { include: '01-crds.yaml' },
    });
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  it('runs the Gateway provisioner at the pinned images, leader-elected, restricted, with its upstream RBAC', () => {
    const chart = testChart('prod', 'gateway');
    new Gateway(chart, 'Gateway');
    const objects = objectsOf(chart);
    const deployment = find(objects, 'Deployment', 'contour-gateway-provisioner', 'projectcontour');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe('ghcr.io/projectcontour/contour:v1.30.5');
    expect(container.command).toEqual(['contour']);
    expect(container.args).toEqual([
      'gateway-provisioner',
      '--metrics-addr=127.0.0.1:8080',
      '--enable-leader-election',
      '--gateway-controller-name=projectcontour.io/gateway-controller',
      '--contour-image=ghcr.io/projectcontour/contour:v1.30.5',
      '--envoy-image=docker.io/envoyproxy/envoy:v1.31.10',
    ]);
    expect(container.env).toEqual([{ name: 'CONTOUR_PROVISIONER_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } }]);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('contour-gateway-provisioner');
    expect(find(objects, 'Namespace', 'projectcontour').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });

    const clusterRole = find(objects, 'ClusterRole', 'contour-gateway-provisioner');
    expect(clusterRole.metadata.namespace).toBeUndefined();
    expect(clusterRole.rules).toEqual(PROVISIONER_CLUSTER_RULES);
    expect(clusterRole.rules).toContainEqual({ apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'] });
    expect(find(objects, 'ClusterRoleBinding', 'contour-gateway-provisioner').subjects).toEqual([{ kind: 'ServiceAccount', name: 'contour-gateway-provisioner', namespace: 'projectcontour' }]);
    expect(find(objects, 'Role', 'contour-gateway-provisioner', 'projectcontour').rules).toContainEqual({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] });
    expect(find(objects, 'RoleBinding', 'contour-gateway-provisioner-leader-election', 'projectcontour').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'contour-gateway-provisioner' });
  });

  it('declares GatewayClass contour with its ContourDeployment, disabling the route kinds the standard channel lacks', () => {
    const chart = testChart('prod', 'gateway');
    new Gateway(chart, 'Gateway');
    const objects = objectsOf(chart);
    const gatewayClass = find(objects, 'GatewayClass', 'contour');
    expect(gatewayClass.metadata.namespace).toBeUndefined();
    expect(gatewayClass.spec.controllerName).toBe('projectcontour.io/gateway-controller');
    expect(gatewayClass.spec.parametersRef).toEqual({ group: 'projectcontour.io', kind: 'ContourDeployment', name: 'contour', namespace: 'projectcontour' });
    const parameters = find(objects, 'ContourDeployment', 'contour', 'projectcontour');
    expect(parameters.spec.contour.disabledFeatures).toEqual(['tlsroutes', 'backendtlspolicies']);
  });

  it("places prod's Envoy on the edge node, tolerating its taint, with node ports 80/443 (the listener ports)", () => {
    const chart = testChart('prod', 'gateway');
    new Gateway(chart, 'Gateway');
    const envoy = find(objectsOf(chart), 'ContourDeployment', 'contour').spec.envoy;
    expect(envoy).toEqual({
      workloadType: 'DaemonSet',
      nodePlacement: {
        nodeSelector: { 'kubernetes.io/hostname': 'omni-endpoint-vm' },
        tolerations: [{ key: 'role', operator: 'Equal', value: 'ingress-endpoint', effect: 'NoSchedule' }],
      },
      networkPublishing: { type: 'NodePortService', externalTrafficPolicy: 'Local' },
    });
    const gateway = find(objectsOf(chart), 'Gateway', 'platform', 'gateway');
    expect(gateway.metadata.annotations['external-dns.alpha.kubernetes.io/target']).toBe('edge.omni.cedille.club');
  });

  it("keeps a vcluster's Envoy off the host's ports: a ClusterIP Service the host forwards to", () => {
    for (const name of ['staging', 'sandbox'] as const) {
      const chart = testChart(name, 'gateway');
      new Gateway(chart, 'Gateway');
      const envoy = find(objectsOf(chart), 'ContourDeployment', 'contour').spec.envoy;
      expect(envoy).toEqual({ workloadType: 'Deployment', deployment: { replicas: 2 }, networkPublishing: { type: 'ClusterIPService' } });
      expect(find(objectsOf(chart), 'Gateway', 'platform', 'gateway').metadata.annotations).toBeUndefined();
    }
  });

  it('gives the Gateway an http listener for the domain and one HTTPS listener per route, with its certificate', () => {
    const objects = edgeWithRoutes('staging');
    const gateway = find(objects, 'Gateway', 'platform', 'gateway');
    expect(gateway.spec.gatewayClassName).toBe('contour');
    expect(gateway.spec.listeners).toEqual([
      { name: 'http', protocol: 'HTTP', port: 80, hostname: '*.staging.omni.cedille.club', allowedRoutes: { namespaces: { from: 'Same' } } },
      {
        name: 'https-argocd',
        protocol: 'HTTPS',
        port: 443,
        hostname: 'argocd.staging.omni.cedille.club',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'argocd-tls' }] },
        allowedRoutes: { namespaces: { from: 'All' } },
      },
      {
        name: 'https-grafana',
        protocol: 'HTTPS',
        port: 443,
        hostname: 'grafana.staging.omni.cedille.club',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'grafana-tls' }] },
        allowedRoutes: { namespaces: { from: 'All' } },
      },
    ]);
    expect(gatewayCelViolations(gateway)).toEqual([]);
  });

  it("redirects plain HTTP to HTTPS from the Gateway namespace, leaving the ACME solver's exact path to win", () => {
    const chart = testChart('prod', 'gateway');
    new Gateway(chart, 'Gateway');
    const redirect = find(objectsOf(chart), 'HTTPRoute', 'https-redirect', 'gateway');
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'gateway', sectionName: 'http' }]);
    // No hostnames: the listener's *.<domain>, less specific than a solver's exact name; and that
    // wildcard is not for external-dns to publish.
    expect(redirect.spec.hostnames).toBeUndefined();
    expect(redirect.metadata.annotations).toEqual({ 'external-dns.alpha.kubernetes.io/controller': 'none' });
    expect(redirect.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
      },
    ]);
    expect(httpRouteCelViolations(redirect)).toEqual([]);
  });

  it("in every environment, every HTTPRoute's parent Gateway, listener, backend Service and certificate issuer resolve", () => {
    for (const name of ENVIRONMENTS) {
      const objects = edgeWithRoutes(name);
      const env = environment(name);
      const routes = objects.filter((o) => o.kind === 'HTTPRoute') as any[];
      expect(routes.length).toBe(3);
      for (const route of routes) {
        expect(httpRouteCelViolations(route)).toEqual([]);
        for (const parent of route.spec.parentRefs) {
          const gateway = find(objects, 'Gateway', parent.name, parent.namespace ?? route.metadata.namespace);
          const listener = gateway.spec.listeners.find((l: any) => l.name === parent.sectionName);
          expect(listener, `${name}: ${route.metadata.name} → ${parent.sectionName}`).toBeDefined();
          const from = listener.allowedRoutes.namespaces.from;
          expect(from === 'All' || (from === 'Same' && route.metadata.namespace === gateway.metadata.namespace)).toBe(true);
          for (const hostname of route.spec.hostnames ?? []) expect(hostname).toBe(listener.hostname);
          if (listener.tls) {
            const secret = listener.tls.certificateRefs[0].name;
            const certificate = objects.find((o: any) => o.kind === 'Certificate' && o.spec.secretName === secret && o.metadata.namespace === gateway.metadata.namespace) as any;
            expect(certificate, `${name}: certificate for ${secret}`).toBeDefined();
            expect(certificate.spec.dnsNames).toEqual([listener.hostname]);
            const issuer = find(objects, 'ClusterIssuer', certificate.spec.issuerRef.name);
            expect(issuer.metadata.name).toBe(env.certificateIssuer);
          }
        }
        for (const rule of route.spec.rules) {
          for (const backend of rule.backendRefs ?? []) {
            const service = find(objects, 'Service', backend.name, route.metadata.namespace);
            expect(service.spec.ports.map((p: any) => p.port)).toContain(backend.port);
          }
        }
      }
    }
  });

  it('in the real build, every HTTPRoute of every environment attaches to a listener of its Gateway, whose certificate comes from the environment issuer', () => {
    const b = realBuild();
    for (const name of ENVIRONMENTS) {
      const env = environment(name);
      const all = manifestsOf(b, name).map((m) => m.object as any);
      const own = all.filter((o) => !o.apiVersion.startsWith('argoproj.io/'));
      const charts = all.filter((o) => o.kind === 'Application' && o.spec.source?.chart);
      const gateway = find(own, 'Gateway', env.platform.gateway.name, env.platform.gateway.namespace);
      expect(gatewayCelViolations(gateway)).toEqual([]);
      const routes = own.filter((o) => o.kind === 'HTTPRoute');
      for (const route of routes) {
        expect(httpRouteCelViolations(route), `${name}: ${route.metadata.name}`).toEqual([]);
        for (const parent of route.spec.parentRefs) {
          expect(parent.name).toBe(gateway.metadata.name);
          const listener = gateway.spec.listeners.find((l: any) => l.name === parent.sectionName);
          expect(listener, `${name}: ${route.metadata.namespace}/${route.metadata.name} → ${parent.sectionName}`).toBeDefined();
          for (const hostname of route.spec.hostnames ?? []) expect(hostname.endsWith(`.${env.domain}`) && hostname === listener.hostname).toBe(true);
          if (!listener.tls) continue;
          const certificate = own.find((o) => o.kind === 'Certificate' && o.metadata.namespace === gateway.metadata.namespace && o.spec.secretName === listener.tls.certificateRefs[0].name);
          expect(certificate, `${name}: certificate of ${listener.name}`).toBeDefined();
          expect(certificate.spec.issuerRef.name).toBe(env.certificateIssuer);
          find(own, 'ClusterIssuer', env.certificateIssuer);
        }
        // Backends: a Service of ours, or one the chart installed into the route's namespace creates.
        for (const backend of route.spec.rules.flatMap((r: any) => r.backendRefs ?? [])) {
          const ours = own.some((o) => o.kind === 'Service' && o.metadata.name === backend.name && o.metadata.namespace === route.metadata.namespace);
          const fromChart = charts.some((app) => app.spec.destination.namespace === route.metadata.namespace);
          expect(ours || fromChart, `${name}: backend ${route.metadata.namespace}/${backend.name}`).toBe(true);
        }
      }
      // Every HTTPS listener belongs to a route, and the other way round.
      const routed = new Set(routes.flatMap((r) => r.spec.parentRefs.map((p: any) => p.sectionName)));
      for (const listener of gateway.spec.listeners) if (listener.tls) expect(routed.has(listener.name)).toBe(true);
    }
  });

  it('prod never references letsencrypt-staging, staging and sandbox never letsencrypt-prod, across every object', () => {
    const b = realBuild();
    for (const name of ENVIRONMENTS) {
      const text = JSON.stringify([...manifestsOf(b, name).map((m) => m.object), ...edgeWithRoutes(name)]);
      if (name === 'prod') {
        expect(text).not.toContain('letsencrypt-staging');
        expect(text).not.toContain('acme-staging');
      } else {
        expect(text).not.toContain('letsencrypt-prod');
        expect(text).not.toContain('acme-v02.api.letsencrypt.org');
      }
    }
  });

  it('needs no Ingress anywhere', () => {
    const b = realBuild();
    expect(b.manifests.filter((m) => m.object.kind === 'Ingress')).toEqual([]);
  });

  it('fails when a route would name a host outside the environment domain', () => {
    const app = new App({ outdir: 'unused' });
    const chart = new PlatformChart(app, 'sandbox-apps', { environment: environment('sandbox'), service: 'apps', wave: 20 });
    expect(configErrors(() => new PlatformRoute(chart, 'Route', { host: 'grafana.omni.cedille.club', namespace: 'grafana', backend: { service: 'grafana', port: 80 } }))).toEqual([
      'sandbox › apps/Route: host is "grafana.omni.cedille.club" but a route serves one name directly under the environment\'s domain sandbox.omni.cedille.club (one DNS label, so prod can never claim a staging or sandbox name); give the first label only, e.g. "grafana" for grafana.sandbox.omni.cedille.club',
    ]);
  });

  it('fails when the cluster has no edge node for Envoy', () => {
    expect(configErrors(() => new Gateway(testChart('staging', 'gateway'), 'Gateway', { exposure: 'edge-node' }))).toEqual([
      'staging › gateway/Gateway: exposure is "edge-node" but Envoy takes ports 80/443 on the one node of role "edge", and staging has 0 (none); give the cluster exactly one node with role "edge", or use exposure "host-forwarded" on a vcluster',
    ]);
  });

  it('fails when a host cluster would wait for a host to forward to it', () => {
    expect(configErrors(() => new Gateway(testChart('prod', 'gateway'), 'Gateway', { exposure: 'host-forwarded' }))).toEqual([
      'prod › gateway/Gateway: exposure is "host-forwarded" but only a vcluster is reached through its host, and prod is a talos cluster; use exposure "edge-node"',
    ]);
  });

  it('fails when replicas are impossible', () => {
    expect(configErrors(() => new Gateway(testChart('prod', 'gateway'), 'Gateway', { contourReplicas: 0, envoyReplicas: 9 }))).toEqual([
      'prod › gateway/Gateway: contourReplicas is 0 but Contour runs 1 to 3 leader-elected replicas; set contourReplicas between 1 and 3',
      'prod › gateway/Gateway: envoyReplicas is 9 but Envoy runs 1 to 5 replicas; set envoyReplicas between 1 and 5',
    ]);
  });

  it('fails when the routes would need more listeners than a Gateway holds', () => {
    const hosts = Array.from({ length: 64 }, (_, i) => `app${i}`);
    expect(configErrors(() => edgeWithRoutes('prod', hosts))).toEqual([
      'prod › apps/app63: host is "app63" but prod already has 63 routes, each with its own HTTPS listener, and a Gateway holds at most 64 listeners (one is "http"); serve several hosts from one route, or drop a route',
    ]);
  });
});
