import { Construct, type IConstruct } from 'constructs';
import {
  ExternalSecretV1Beta1,
  ExternalSecretV1Beta1SpecTargetCreationPolicy,
  ExternalSecretV1Beta1SpecTargetDeletionPolicy,
  ExternalSecretV1Beta1SpecTargetTemplateEngineVersion,
  type ExternalSecretV1Beta1SpecTarget,
} from '../../imports/eso-externalsecret-external-secrets.io.ts';
import { ConfigErrors } from './config-errors.ts';
import { PlatformChart } from './platform-chart.ts';
import { isDnsLabel, DNS_SUBDOMAIN } from './names.ts';
import { WORKLOAD_READER_SERVICE_ACCOUNT } from './vault.ts';
import { compare } from './render.ts';

export interface VaultSecretProps {
  /** Namespace of the consumer; the Secret is created there. */
  readonly namespace: string;
  /** Name of the Secret External Secrets creates (what the consumer references). */
  readonly secretName: string;
  /** Path of the secret inside the KV v2 mount, e.g. `argocd/dex` (no mount, no `data/`). */
  readonly path: string;
  /** Secret key → property of the Vault secret, e.g. `{ 'dex.github.clientSecret': 'client-secret' }`. */
  readonly keys: Record<string, string>;
  /**
   * Which mount: the platform's own secrets (`kv-system`) or workloads' (`kv`). On `kv`, Vault's
   * templated policy lets a namespace read only `<namespace>/external-secrets/…` (External Secrets
   * logs in as the `external-secrets` service account of the consumer's namespace).
   * @default 'system'
   */
  readonly store?: 'system' | 'workloads';
  /** Labels and annotations the created Secret must carry (e.g. Argo CD's `part-of` label). */
  readonly secretMetadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  /** Go templates rendering the Secret's data from the fetched properties (cluster secrets, kubeconfigs). */
  readonly template?: Record<string, string>;
  /** How often External Secrets re-reads Vault. @default '1h' */
  readonly refreshInterval?: string;
}

/** What one VaultSecret asks of Vault (the External Secrets service lists them per store). */
export interface VaultSecretUse {
  readonly namespace: string;
  readonly secretName: string;
  readonly store: 'system' | 'workloads';
  readonly path: string;
}

/** VaultSecrets of every environment, per synth (keyed by the app, like the routes). */
const usesByApp = new WeakMap<IConstruct, Map<string, VaultSecretUse[]>>();

/**
 * Every VaultSecret declared so far in `scope`'s environment. Read it lazily (at render time): the
 * build creates every chart before rendering any, so the list is then complete.
 */
export function environmentVaultSecrets(scope: IConstruct): VaultSecretUse[] {
  const environment = PlatformChart.of(scope).environmentName;
  return [...(usesByApp.get(scope.node.root)?.get(environment) ?? [])];
}

/**
 * "This consumer needs keys K from Vault path P" as an ExternalSecret: the Secret is created in the
 * cluster from Vault through the environment's ClusterSecretStore, never committed to git.
 */
export class VaultSecret extends Construct {
  /** Name of the Secret that will exist in `namespace`. */
  readonly secretName: string;
  readonly namespace: string;
  readonly keys: readonly string[];
  readonly resource: ExternalSecretV1Beta1;

  constructor(scope: Construct, id: string, props: VaultSecretProps) {
    super(scope, id);
    const { platform } = PlatformChart.of(this).environment;
    const store = platform.vault.stores[props.store ?? 'system'];
    const errors = ConfigErrors.of(this);
    errors.check(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(props.path) && !props.path.startsWith(`${store.mount}/`) && !props.path.includes('/data/'), {
      field: 'path',
      value: props.path,
      problem: `a path inside the KV v2 mount "${store.mount}" is lower-case segments separated by "/", without the mount or "data/"`,
      fix: 'write it like "argocd/dex"',
    });
    if (props.store === 'workloads') {
      const prefix = `${props.namespace}/${WORKLOAD_READER_SERVICE_ACCOUNT}/`;
      errors.check(props.path.startsWith(prefix), {
        field: 'path',
        value: props.path,
        problem: `on the workloads store a namespace may only read below "${prefix}" (Vault's secret-reader policy is scoped to the caller's namespace and service account)`,
        fix: `store the secret under kv/${prefix}… and give that path`,
      });
    }
    errors.check(DNS_SUBDOMAIN.test(props.secretName), {
      field: 'secretName',
      value: props.secretName,
      problem: 'Secret names are DNS subdomains',
      fix: 'use lower-case letters, digits, dots and dashes',
    });
    errors.check(isDnsLabel(props.namespace), { field: 'namespace', value: props.namespace, problem: 'it is not a DNS label', fix: 'name an existing namespace' });
    errors.check(Object.keys(props.keys).length > 0, { field: 'keys', value: props.keys, problem: 'a secret needs at least one key', fix: 'map each Secret key to a Vault property' });
    errors.throwIfAny();

    this.secretName = props.secretName;
    this.namespace = props.namespace;
    const environmentName = PlatformChart.of(this).environmentName;
    const perApp = usesByApp.get(this.node.root) ?? new Map<string, VaultSecretUse[]>();
    usesByApp.set(this.node.root, perApp);
    perApp.set(environmentName, [...(perApp.get(environmentName) ?? []), { namespace: props.namespace, secretName: props.secretName, store: props.store ?? 'system', path: props.path }]);
    this.keys = Object.keys(props.template ?? props.keys).sort();
    const target: ExternalSecretV1Beta1SpecTarget = {
      name: props.secretName,
      creationPolicy: ExternalSecretV1Beta1SpecTargetCreationPolicy.OWNER,
      // Keep the Secret if the ExternalSecret is deleted by mistake: consumers keep working.
      deletionPolicy: ExternalSecretV1Beta1SpecTargetDeletionPolicy.RETAIN,
      ...(props.secretMetadata || props.template
        ? {
            template: {
              engineVersion: ExternalSecretV1Beta1SpecTargetTemplateEngineVersion.V2,
              ...(props.secretMetadata ? { metadata: props.secretMetadata } : {}),
              ...(props.template ? { data: props.template } : {}),
            },
          }
        : {}),
    };
    this.resource = new ExternalSecretV1Beta1(this, 'Resource', {
      metadata: { name: props.secretName, namespace: props.namespace },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: store.name },
        target,
        data: Object.entries(props.keys)
          .sort(([a], [b]) => compare(a, b))
          .map(([secretKey, property]) => ({ secretKey, remoteRef: { key: props.path, property } })),
      },
    });
  }
}
