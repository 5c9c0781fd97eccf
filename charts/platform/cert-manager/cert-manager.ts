import { Construct } from 'constructs';
import { ClusterIssuer } from '../../../imports/cert-manager-clusterissuer-cert-manager.io.ts';
import { CHARTS } from '../../environments/catalogue.ts';
import type { CertificateIssuerName } from '../../environments/types.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';

export interface CertManagerProps {
  /** Controller replicas (leader-elected; more than one only shortens failover). @default 1 */
  readonly replicas?: number;
}

/** The ACME directories of Let's Encrypt, by issuer name. */
export const ACME_SERVERS: Record<CertificateIssuerName, string> = {
  'letsencrypt-prod': 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** Only the chart values we set (keys checked against the chart's values.yaml at the pinned version). */
interface CertManagerValues {
  readonly crds: { readonly enabled: boolean; readonly keep: boolean };
  readonly replicaCount: number;
  readonly podDisruptionBudget: { readonly enabled: boolean };
  readonly config: {
    readonly apiVersion: 'controller.config.cert-manager.io/v1alpha1';
    readonly kind: 'ControllerConfiguration';
    readonly enableGatewayAPI: boolean;
  };
}

/**
 * cert-manager from its pinned chart (CRDs installed and kept by the chart) and the one ACME
 * ClusterIssuer the environment may use. Only that issuer exists in the environment, so a
 * certificate cannot name the other one: prod cannot get staging certificates, nor the reverse.
 * HTTP-01 challenges are answered through the environment's Gateway.
 */
export class CertManager extends Construct {
  readonly issuerName: CertificateIssuerName;

  constructor(scope: PlatformChart, id: string, props: CertManagerProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const replicas = props.replicas ?? 1;
    const errors = ConfigErrors.of(this);
    errors.checkRange('replicas', replicas, 1, 3, 'cert-manager runs 1 to 3 leader-elected controllers');
    errors.throwIfAny();

    new HelmApplication<CertManagerValues>(this, 'Chart', {
      chart: CHARTS.certManager,
      namespace: CERT_MANAGER_NAMESPACE,
      createNamespace: { podSecurity: 'restricted', mesh: 'excluded' },
      values: {
        crds: { enabled: true, keep: true },
        replicaCount: replicas,
        podDisruptionBudget: { enabled: replicas > 1 },
        config: {
          apiVersion: 'controller.config.cert-manager.io/v1alpha1',
          kind: 'ControllerConfiguration',
          enableGatewayAPI: true,
        },
      },
    });

    this.issuerName = environment.certificateIssuer;
    const gateway = environment.platform.gateway;
    new ClusterIssuer(this, 'Issuer', {
      metadata: { name: this.issuerName },
      spec: {
        acme: {
          server: ACME_SERVERS[this.issuerName],
          email: environment.platform.contactEmail,
          privateKeySecretRef: { name: `${this.issuerName}-account-key` },
          solvers: [
            {
              http01: {
                gatewayHttpRoute: {
                  parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: 'http' }],
                },
              },
            },
          ],
        },
      },
    });
  }
}
