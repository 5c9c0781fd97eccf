import { describe, expect, it } from 'vitest';
import { SampleApp } from '../../charts/platform/sample-app/sample-app.ts';
import { build, configErrors, find, manifestsOf, objectsOf, testChart } from '../helpers.ts';

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
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'hotrod', port: 8080 }]);
    expect(find(objects, 'Service', 'hotrod', 'sample').spec.ports[0].port).toBe(8080);
    expect(find(objects, 'Certificate', 'hotrod', 'gateway').spec.issuerRef.name).toBe('letsencrypt-staging');
  });

  it("runs in staging, whose collector forwards to prod's ClickHouse pipeline", () => {
    const staging = manifestsOf(build(), 'staging').map((m) => m.object) as any[];
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
