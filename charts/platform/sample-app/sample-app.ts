import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { IMAGES, imageRef } from '../../environments/catalogue.ts';
import { RESTRICTED_CONTAINER, restrictedPod } from '../../lib/labels.ts';
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
/** The SSO proxy in front of HotROD: the only backend of its public route (decision 0907). */
export const SSO_PROXY = 'oauth2-proxy';
export const SSO_PROXY_PORT = 4180;
/**
 * The Secret oauth2-proxy reads, and its keys: the GitHub OAuth app's client id and secret and the
 * cookie secret. It comes from Vault: the host's External Secrets reads it and pushes it into this
 * vcluster (`HostedVCluster.secrets` in the host's data, docs/runbooks/vault-bootstrap.md).
 */
export const SSO_SECRET = { name: 'oauth2-proxy', keys: { clientId: 'client-id', clientSecret: 'client-secret', cookieSecret: 'cookie-secret' } } as const;
/** The operator injects the OTEL_* SDK settings (endpoint, service name, resource attributes). */
export const INJECT_SDK_ANNOTATION = 'instrumentation.opentelemetry.io/inject-sdk';

/**
 * The instrumented sample the club's retrospective asked for: Jaeger's HotROD (OpenTelemetry SDK
 * built in) in a mesh-injected namespace, configured by the platform's Instrumentation through an
 * annotation, routed through the Gateway with the environment's certificate, behind GitHub SSO
 * (oauth2-proxy, members of the organisation only). Its spans travel
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
    // The public route reaches oauth2-proxy only; HotROD is its upstream, inside the namespace.
    this.hostname = new PlatformRoute(this, 'Route', {
      host: APP,
      namespace: SAMPLE_NAMESPACE,
      backend: { service: SSO_PROXY, port: SSO_PROXY_PORT },
    }).hostname;
    new SsoProxy(this, 'Sso', {
      organisation: scope.environment.platform.github.organisation,
      hostname: this.hostname,
      upstream: `http://${APP}.${SAMPLE_NAMESPACE}.svc:${HTTP_PORT}/`,
    });
  }
}

interface SsoProxyProps {
  /** The GitHub organisation whose members may pass. */
  readonly organisation: string;
  /** Public name of the route (the OAuth callback is `https://<hostname>/oauth2/callback`). */
  readonly hostname: string;
  readonly upstream: string;
}

/** oauth2-proxy with the GitHub provider, restricted to one organisation, in front of `upstream`. */
class SsoProxy extends Construct {
  constructor(scope: Construct, id: string, props: SsoProxyProps) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/name': SSO_PROXY };
    const fromSecret = (name: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: SSO_SECRET.name, key } } });
    const port = k8s.IntOrString.fromString('http');
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: SSO_PROXY, namespace: SAMPLE_NAMESPACE },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPod(65532),
            containers: [
              {
                name: SSO_PROXY,
                image: imageRef(IMAGES.oauth2Proxy),
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '--provider=github',
                  `--github-org=${props.organisation}`,
                  // membership of the organisation is the rule, whatever the e-mail address
                  '--email-domain=*',
                  `--upstream=${props.upstream}`,
                  `--http-address=0.0.0.0:${SSO_PROXY_PORT}`,
                  `--redirect-url=https://${props.hostname}/oauth2/callback`,
                  '--cookie-secure=true',
                  '--reverse-proxy=true',
                  '--skip-provider-button=true',
                ],
                env: [
                  fromSecret('OAUTH2_PROXY_CLIENT_ID', SSO_SECRET.keys.clientId),
                  fromSecret('OAUTH2_PROXY_CLIENT_SECRET', SSO_SECRET.keys.clientSecret),
                  fromSecret('OAUTH2_PROXY_COOKIE_SECRET', SSO_SECRET.keys.cookieSecret),
                ],
                ports: [{ name: 'http', containerPort: SSO_PROXY_PORT }],
                livenessProbe: { httpGet: { path: '/ping', port } },
                readinessProbe: { httpGet: { path: '/ready', port } },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                  limits: { memory: k8s.Quantity.fromString('128Mi') },
                },
                securityContext: RESTRICTED_CONTAINER,
              },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: SSO_PROXY, namespace: SAMPLE_NAMESPACE },
      spec: { selector: labels, ports: [{ name: 'http', port: SSO_PROXY_PORT, targetPort: port }] },
    });
  }
}
