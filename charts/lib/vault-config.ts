import { Construct, type IConstruct } from 'constructs';
import { PlatformChart } from './platform-chart.ts';
import { KubernetesAuthEngineRole, type KubernetesAuthEngineRoleSpecTargetNamespaces } from '../../imports/vco-kubernetesauthenginerole-redhatcop.redhat.io.ts';
import { Policy, PolicySpecType } from '../../imports/vco-policy-redhatcop.redhat.io.ts';
import { Wave, setSyncWave } from './sync-wave.ts';
import { VAULT, VAULT_BOOTSTRAP_AUTH } from './vault.ts';

/**
 * How every vault-config-operator resource logs in to Vault: the operator's bootstrap auth
 * (docs/runbooks/vault-bootstrap.md). The resources live in Vault's namespace, where that service
 * account is.
 */
export const VAULT_OPERATOR_AUTHENTICATION = {
  path: VAULT_BOOTSTRAP_AUTH.mount,
  role: VAULT_BOOTSTRAP_AUTH.role,
  serviceAccount: { name: VAULT_BOOTSTRAP_AUTH.serviceAccount },
};

/** A Vault ACL policy, declared for the vault-config-operator. */
export class VaultPolicy extends Construct {
  readonly name: string;
  readonly resource: Policy;

  constructor(scope: Construct, id: string, props: { readonly name: string; readonly policy: string }) {
    super(scope, id);
    this.name = props.name;
    this.resource = new Policy(this, 'Resource', {
      metadata: { name: props.name, namespace: VAULT.namespace },
      spec: { authentication: VAULT_OPERATOR_AUTHENTICATION, type: PolicySpecType.ACL, policy: props.policy },
    });
  }
}

/**
 * Names of every Vault policy declared in `environment` across all its services (read at synth
 * time, once every construct exists): what the configuration admin may write and bind.
 */
export function declaredVaultPolicies(scope: IConstruct, environment: string): string[] {
  return scope.node.root.node
    .findAll()
    .filter((node): node is VaultPolicy => node instanceof VaultPolicy && PlatformChart.of(node).environmentName === environment)
    .map((policy) => policy.name)
    .sort();
}

export interface VaultKubernetesRoleProps {
  readonly name: string;
  /** The Kubernetes auth mount, e.g. `cluster/prod`. */
  readonly authMount: string;
  readonly policies: readonly string[];
  readonly serviceAccounts: readonly string[];
  readonly namespaces: KubernetesAuthEngineRoleSpecTargetNamespaces;
}

/**
 * A Kubernetes auth role: these service accounts of these namespaces log in and get these policies.
 * Short-lived tokens: every consumer logs in again with a fresh service-account token.
 */
export class VaultKubernetesRole extends Construct {
  readonly name: string;
  readonly resource: KubernetesAuthEngineRole;

  constructor(scope: Construct, id: string, props: VaultKubernetesRoleProps) {
    super(scope, id);
    this.name = props.name;
    this.resource = new KubernetesAuthEngineRole(this, 'Resource', {
      metadata: { name: props.name, namespace: VAULT.namespace },
      spec: {
        authentication: VAULT_OPERATOR_AUTHENTICATION,
        path: props.authMount,
        policies: [...props.policies],
        targetServiceAccounts: [...props.serviceAccounts],
        targetNamespaces: props.namespaces,
        tokenTtl: 900,
        tokenMaxTtl: 3600,
      },
    });
    // after the auth mount's config (Wave.DEFAULT) in Vault's own folder
    setSyncWave(this.resource, Wave.AFTER_CRDS);
  }
}
