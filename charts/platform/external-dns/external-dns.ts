import { Construct } from 'constructs';
import { CHARTS } from '../../environments/catalogue.ts';
import { ConfigErrors } from '../../lib/config-errors.ts';
import { VaultSecret } from '../../lib/external-secret.ts';
import { HelmApplication } from '../../lib/helm-application.ts';
import { isDomain } from '../../lib/names.ts';
import { PlatformNamespace } from '../../lib/namespace.ts';
import type { PlatformChart } from '../../lib/platform-chart.ts';

export const EXTERNAL_DNS_NAMESPACE = 'external-dns';
/** Vault path (inside the `kv-system` mount) of the GCP service-account key allowed to edit the zone. */
export const GCP_CREDENTIALS_PATH = 'external-dns/gcp';
const CREDENTIALS_KEY = 'credentials.json';
const CREDENTIALS_DIR = '/etc/secrets/gcp';

export interface ExternalDnsProps {
  /**
   * Subdomains this instance must leave alone (those of environments that publish on their own or
   * through another object). @default []
   */
  readonly excludeDomains?: readonly string[];
  /**
   * `sync` also deletes the records of routes that are gone; `upsert-only` never deletes.
   * Either way only records carrying this instance's owner id are touched. @default 'sync'
   */
  readonly policy?: 'sync' | 'upsert-only';
  /** How often the zone is reconciled (events trigger a run as well). @default '1m' */
  readonly interval?: string;
}

/** Only the chart values we set (checked against charts/external-dns/values.yaml at external-dns-helm-chart-1.15.2). */
interface ExternalDnsValues {
  readonly provider: { readonly name: 'google' };
  readonly sources: readonly string[];
  readonly domainFilters: readonly string[];
  readonly excludeDomains: readonly string[];
  readonly policy: 'sync' | 'upsert-only';
  readonly registry: 'txt';
  readonly txtOwnerId: string;
  readonly txtPrefix: string;
  readonly interval: string;
  readonly triggerLoopOnEvent: boolean;
  readonly extraArgs: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly extraVolumes: readonly { readonly name: string; readonly secret: { readonly secretName: string } }[];
  readonly extraVolumeMounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly: boolean }[];
}

/**
 * external-dns publishing the environment's hostnames in the Google Cloud DNS zone of PLATFORM.md:
 * the HTTPRoutes attached to the environment's Gateway, and the wildcard names the host forwards to
 * its vclusters (Contour HTTPProxies). Every record is a CNAME to the edge node's name (the
 * Gateway's and HTTPProxies' target annotation). The GCP key comes from Vault through an
 * ExternalSecret; the folder (namespace + ExternalSecret) syncs before the chart, so the pod never
 * starts without it. docs/decisions/0404-external-dns-on-the-host-only.md.
 */
export class ExternalDns extends Construct {
  readonly credentials: VaultSecret;
  readonly chart: HelmApplication<ExternalDnsValues>;

  constructor(scope: PlatformChart, id: string, props: ExternalDnsProps = {}) {
    super(scope, id);
    const { environment } = scope;
    const excludeDomains = [...(props.excludeDomains ?? [])].sort();
    const policy = props.policy ?? 'sync';
    const interval = props.interval ?? '1m';

    const errors = ConfigErrors.of(this);
    for (const [index, domain] of excludeDomains.entries()) {
      errors.check(isDomain(domain) && domain.endsWith(`.${environment.domain}`), {
        field: `excludeDomains[${index}]`,
        value: domain,
        problem: `an excluded domain is a subdomain of ${environment.domain}, the domain this instance publishes`,
        fix: `write it like "staging.${environment.domain}"`,
      });
    }
    errors.check(/^[1-9][0-9]*(s|m|h)$/.test(interval), {
      field: 'interval',
      value: interval,
      problem: 'it is not a Go duration in whole seconds, minutes or hours',
      fix: 'write it like "1m"',
    });
    errors.throwIfAny();

    // The folder creates the namespace and the credentials; the chart syncs after it (afterFolder).
    new PlatformNamespace(this, 'Namespace', { name: EXTERNAL_DNS_NAMESPACE, podSecurity: 'restricted', mesh: 'excluded' });
    this.credentials = new VaultSecret(this, 'Credentials', {
      namespace: EXTERNAL_DNS_NAMESPACE,
      secretName: 'external-dns-gcp',
      path: GCP_CREDENTIALS_PATH,
      keys: { [CREDENTIALS_KEY]: CREDENTIALS_KEY },
    });

    this.chart = new HelmApplication<ExternalDnsValues>(this, 'Chart', {
      chart: CHARTS.externalDns,
      namespace: EXTERNAL_DNS_NAMESPACE,
      afterFolder: true,
      values: {
        provider: { name: 'google' },
        sources: ['gateway-httproute', 'contour-httpproxy'],
        domainFilters: [environment.domain],
        excludeDomains,
        policy,
        registry: 'txt',
        // One owner per environment: instances never touch each other's records.
        txtOwnerId: `plateforme-cedille-${environment.name}`,
        // Records are CNAMEs, and a TXT record cannot share a name with a CNAME.
        txtPrefix: 'edns-',
        interval,
        triggerLoopOnEvent: true,
        extraArgs: [
          `--google-project=${environment.platform.gcp.project}`,
          '--google-zone-visibility=public',
          // TXT names cannot start with "*": the wildcard records of hosted environments need this.
          '--txt-wildcard-replacement=wildcard',
          // Only routes attached to the environment's Gateway are published.
          `--gateway-namespace=${environment.platform.gateway.namespace}`,
        ],
        env: [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: `${CREDENTIALS_DIR}/${CREDENTIALS_KEY}` }],
        extraVolumes: [{ name: 'gcp-credentials', secret: { secretName: this.credentials.secretName } }],
        extraVolumeMounts: [{ name: 'gcp-credentials', mountPath: CREDENTIALS_DIR, readOnly: true }],
      },
    });
  }
}
