import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages } from '../../../imports/cert-manager-certificate-cert-manager.io.ts';
import { ClusterIssuer } from '../../../imports/cert-manager-clusterissuer-cert-manager.io.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';
import { Wave, setSyncWave } from '../../lib/sync-wave.ts';
import { VAULT } from '../../lib/vault.ts';
import { CERT_MANAGER_NAMESPACE } from '../cert-manager/cert-manager.ts';

export interface VaultTlsProps {
  /** Lifetime of Vault's serving certificate (Vault reloads it on SIGHUP only: see the runbook). @default '8760h' */
  readonly certificateDuration?: string;
}

/** Self-signed issuer that signs only the internal CA below. */
export const BOOTSTRAP_ISSUER = 'platform-ca-bootstrap';
/** Lifetime of the internal CA (10 years; cert-manager renews it 90 days ahead). */
const CA_DURATION = '87600h';
const CA_RENEW_BEFORE = '2160h';
const DURATION = /^\d+h$/;

/**
 * What must exist before Vault's pods can start, so it is its own service synced before `vault`:
 * the platform's internal CA (self-signed bootstrap issuer → CA certificate → ClusterIssuer
 * `platform-ca`), the `vault` namespace, and Vault's serving certificate (`vault-tls`, which also
 * carries the CA as `ca.crt` for Vault's peers, its operator and External Secrets).
 * A service's own folder syncs after its charts, so these cannot live in the `vault` folder
 * (docs/decisions/0300-vault-tls-and-bootstrap.md).
 */
export class VaultTls extends Construct {
  readonly caIssuer: string = VAULT.caIssuer;
  readonly certificate: Certificate;

  constructor(scope: PlatformChart, id: string, props: VaultTlsProps = {}) {
    super(scope, id);
    const duration = props.certificateDuration ?? '8760h';
    const errors = ConfigErrors.of(this);
    errors.check(DURATION.test(duration) && Number.parseInt(duration, 10) >= 720, {
      field: 'certificateDuration',
      value: duration,
      problem: 'cert-manager renews 30 days (720h) before expiry, so the certificate must last longer, written in hours',
      fix: 'write it like "8760h"',
    });
    errors.throwIfAny();

    new ClusterIssuer(this, 'BootstrapIssuer', {
      metadata: { name: BOOTSTRAP_ISSUER },
      spec: { selfSigned: {} },
    });
    const ca = new Certificate(this, 'CaCertificate', {
      metadata: { name: VAULT.caIssuer, namespace: CERT_MANAGER_NAMESPACE },
      spec: {
        isCa: true,
        commonName: 'Plateforme Cedille internal CA',
        // A ClusterIssuer reads its CA from cert-manager's own namespace.
        secretName: VAULT.caIssuer,
        duration: CA_DURATION,
        renewBefore: CA_RENEW_BEFORE,
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: BOOTSTRAP_ISSUER },
      },
    });
    const issuer = new ClusterIssuer(this, 'CaIssuer', {
      metadata: { name: VAULT.caIssuer },
      spec: { ca: { secretName: VAULT.caIssuer } },
    });
    // cert-manager would retry anyway; the waves only make a first sync read in order
    setSyncWave(ca, Wave.AFTER_CRDS);
    setSyncWave(issuer, Wave.AFTER_CUSTOM_RESOURCES);

    new PlatformNamespace(this, 'Namespace', { name: VAULT.namespace, podSecurity: 'restricted', mesh: 'excluded' });

    const internal = `${VAULT.release}-internal`;
    const services = [VAULT.release, VAULT.activeService, `${VAULT.release}-standby`, VAULT.uiService];
    const dnsNames = [
      ...services.flatMap((s) => [s, `${s}.${VAULT.namespace}`, `${s}.${VAULT.namespace}.svc`, `${s}.${VAULT.namespace}.svc.cluster.local`]),
      // raft peers (vault-0.vault-internal …) join and forward to each other by stable pod names
      `*.${internal}`,
      `*.${internal}.${VAULT.namespace}.svc`,
      `*.${internal}.${VAULT.namespace}.svc.cluster.local`,
    ];
    this.certificate = new Certificate(this, 'ServerCertificate', {
      metadata: { name: 'vault-server', namespace: VAULT.namespace },
      spec: {
        secretName: VAULT.tlsSecret,
        commonName: `${VAULT.activeService}.${VAULT.namespace}.svc`,
        dnsNames,
        // the chart points the vault CLI inside each pod at https://127.0.0.1:8200
        ipAddresses: ['127.0.0.1'],
        usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.CLIENT_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
        duration,
        renewBefore: '720h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: VAULT.caIssuer },
      },
    });
    setSyncWave(this.certificate, Wave.AFTER_CUSTOM_RESOURCES);
  }
}
