import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { IMAGES, imageRef } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { MeshServicePermission } from '../../lib/mesh-permission.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { PlatformRoute } from '../../lib/route.ts';
import { INSTRUMENTATION_REF } from '../opentelemetry/opentelemetry.ts';

export interface SampleAppProps {
  /** Replicas of the HotROD demo. @default 1 */
  readonly replicas?: number;
}

export const SAMPLE_NAMESPACE = 'sample';
const APP = 'hotrod';
const HTTP_PORT = 8080;
/** The operator injects the OTEL_* SDK settings (endpoint, service name, resource attributes). */
export const INJECT_SDK_ANNOTATION = 'instrumentation.opentelemetry.io/inject-sdk';

/**
 * The instrumented sample the club's retrospective asked for: Jaeger's HotROD (OpenTelemetry SDK
 * built in) in a mesh-injected namespace, configured by the platform's Instrumentation through an
 * annotation, routed through the Gateway with the environment's certificate. Its spans travel
 * collector → ClickHouse and show in Grafana's telemetry dashboards.
 */
export class SampleApp extends Construct {
  readonly hostname: string;

  constructor(scope: PlatformChart, id: string, props: SampleAppProps = {}) {
    super(scope, id);
    const replicas = props.replicas ?? 1;
    const errors = ConfigErrors.of(this);
    errors.checkRange('replicas', replicas, 1, 3, 'the sample runs 1 to 3 replicas');
    errors.throwIfAny();

    new PlatformNamespace(this, 'Namespace', { name: SAMPLE_NAMESPACE, podSecurity: 'baseline', mesh: 'injected' });
    const labels = { 'app.kubernetes.io/name': APP };
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: APP, namespace: SAMPLE_NAMESPACE },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { [INJECT_SDK_ANNOTATION]: INSTRUMENTATION_REF } },
          spec: {
            containers: [
              {
                name: APP,
                image: imageRef(IMAGES.sampleApp),
                imagePullPolicy: 'IfNotPresent',
                args: ['all'],
                ports: [{ name: 'http', containerPort: HTTP_PORT }],
                readinessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromNumber(HTTP_PORT) } },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
                  limits: { memory: k8s.Quantity.fromString('256Mi') },
                },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: APP, namespace: SAMPLE_NAMESPACE },
      spec: { selector: labels, ports: [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    // The mesh denies by default: HotROD's own pods (its frontend calls its services) may call it.
    // The Gateway's Envoy is unmeshed and reaches it in plaintext through the namespace's dated
    // PERMISSIVE migration (environments/staging.ts).
    new MeshServicePermission(this, 'MeshPermission', {
      service: { namespace: SAMPLE_NAMESPACE, name: APP, port: HTTP_PORT },
      fromNamespaces: [SAMPLE_NAMESPACE],
    });
    this.hostname = new PlatformRoute(this, 'Route', {
      host: APP,
      namespace: SAMPLE_NAMESPACE,
      backend: { service: APP, port: HTTP_PORT },
    }).hostname;
  }
}
