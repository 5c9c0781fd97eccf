import { describe, expect, it } from 'vitest';
import { SampleApp } from '../../charts/platform/sample-app/sample-app.ts';
import { configErrors, find, manifestsOf, objectsOf, testChart, realBuild } from '../helpers.ts';

describe('SampleApp', () => {
  const chart = testChart('staging', 'sample-app');
  new SampleApp(chart, 'SampleApp');
  const objects = objectsOf(chart);

  it('runs the pinned HotROD image in a mesh-injected namespace', () => {
    const ns = find(objects, 'Namespace', 'sample');
    expect(ns.metadata.labels['kuma.io/sidecar-injection']).toBe('enabled');
    const deployment = find(objects, 'Deployment', 'hotrod', 'sample');
    expect(deployment.spec.template.spec.containers[0].image).toBe('jaegertracing/example-hotrod:1.64.0');
  });

  it('is instrumented by annotation with the platform Instrumentation', () => {
    const deployment = find(objects, 'Deployment', 'hotrod', 'sample');
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'instrumentation.opentelemetry.io/inject-sdk': 'opentelemetry/platform' });
  });

  it('is routed with the staging certificate', () => {
    const route = find(objects, 'HTTPRoute', 'hotrod', 'sample');
    expect(route.spec.hostnames).toEqual(['hotrod.staging.omni.cedille.club']);
    // the public route reaches oauth2-proxy only, never HotROD itself (decision 0907)
    expect(route.spec.rules.flatMap((rule: any) => rule.backendRefs)).toEqual([{ name: 'oauth2-proxy', port: 4180 }]);
    expect(find(objects, 'Service', 'hotrod', 'sample').spec.ports[0].port).toBe(8080);
    expect(find(objects, 'Certificate', 'hotrod', 'gateway').spec.issuerRef.name).toBe('letsencrypt-staging');
  });

  it('puts GitHub SSO in front: oauth2-proxy, organisation ClubCedille, secrets by secretKeyRef, HotROD as upstream', () => {
    const deployment = find(objects, 'Deployment', 'oauth2-proxy', 'sample');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe('quay.io/oauth2-proxy/oauth2-proxy:v7.7.1');
    expect(container.args).toEqual(
      expect.arrayContaining(['--provider=github', '--github-org=ClubCedille', '--upstream=http://hotrod.sample.svc:8080/', '--redirect-url=https://hotrod.staging.omni.cedille.club/oauth2/callback']),
    );
    expect(container.env).toEqual([
      { name: 'OAUTH2_PROXY_CLIENT_ID', valueFrom: { secretKeyRef: { name: 'oauth2-proxy', key: 'client-id' } } },
      { name: 'OAUTH2_PROXY_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'oauth2-proxy', key: 'client-secret' } } },
      { name: 'OAUTH2_PROXY_COOKIE_SECRET', valueFrom: { secretKeyRef: { name: 'oauth2-proxy', key: 'cookie-secret' } } },
    ]);
    expect(JSON.stringify(container.args)).not.toMatch(/secret=/);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(find(objects, 'Service', 'oauth2-proxy', 'sample').spec.ports[0].port).toBe(4180);
  });

  it("runs in staging, whose collector forwards to prod's ClickHouse pipeline", () => {
    const staging = manifestsOf(realBuild(), 'staging').map((m) => m.object) as any[];
    find(staging, 'Deployment', 'hotrod', 'sample');
    find(staging, 'Instrumentation', 'platform', 'opentelemetry');
    const collector = find(staging, 'OpenTelemetryCollector', 'telemetry', 'opentelemetry');
    expect(collector.spec.config.exporters['otlphttp/forward'].endpoint).toBe('http://prod-telemetry-collector.opentelemetry.svc:4318');
  });

  it('fails on an impossible replica count', () => {
    expect(configErrors(() => new SampleApp(testChart('staging', 'sample-app'), 'SampleApp', { replicas: 9 }))).toEqual([
      'staging › sample-app/SampleApp: replicas is 9 but the sample runs 1 to 3 replicas; set replicas between 1 and 3',
    ]);
  });
});
