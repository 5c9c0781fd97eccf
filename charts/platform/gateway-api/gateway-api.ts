import { Construct } from 'constructs';
import { MANIFESTS } from '../../environments/catalogue.ts';
import { ManifestApplication } from '../../lib/helm-application.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';

/** Nothing to choose: one version for the whole cluster is the point. */
export type GatewayApiProps = Record<string, never>;

/**
 * The Gateway API CRDs, once per cluster, at the one pinned release (standard channel), plus the
 * experimental TCPRoute CRD of the same release that Contour 1.30 cannot start without
 * (docs/decisions/0400-gateway-api-crds-first.md). A service of its own so that cert-manager,
 * whose Gateway API support only starts when these CRDs exist at its start-up, can depend on it,
 * and the Contour provisioner after cert-manager. Server-side apply: the CRDs exceed the 256 KiB
 * `last-applied-configuration` annotation limit of client-side apply.
 */
export class GatewayApi extends Construct {
  readonly standard: ManifestApplication;
  readonly tcpRoute: ManifestApplication;

  constructor(scope: PlatformChart, id: string, _props: GatewayApiProps = {}) {
    super(scope, id);
    // CRDs are cluster-scoped; the destination namespace only satisfies the Application schema.
    const namespace = scope.environment.platform.gateway.namespace;
    this.standard = new ManifestApplication(this, 'Standard', {
      name: 'gateway-api',
      manifests: MANIFESTS.gatewayApiStandard,
      namespace,
      syncOptions: ['ServerSideApply=true'],
    });
    this.tcpRoute = new ManifestApplication(this, 'TcpRoute', {
      name: 'gateway-api-tcproute',
      manifests: MANIFESTS.gatewayApiTcpRoute,
      namespace,
      syncOptions: ['ServerSideApply=true'],
    });
  }
}
