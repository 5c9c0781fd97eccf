/**
 * Kinds that are cluster-scoped, by `group/Kind` (core group written as `Kind`). Used by the chart
 * base class to keep namespaces off them; test/lib/kinds.test.ts checks the custom-resource entries
 * against the scope declared by the pinned CRDs, so this list cannot drift from upstream.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  // Kubernetes 1.28 built-ins we may emit
  'Namespace',
  'Node',
  'PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'scheduling.k8s.io/PriorityClass',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'apiregistration.k8s.io/APIService',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  // custom resources of the pinned CRDs
  'cert-manager.io/ClusterIssuer',
  'external-secrets.io/ClusterSecretStore',
  'external-secrets.io/ClusterExternalSecret',
  'gateway.networking.k8s.io/GatewayClass',
  'kuma.io/Mesh',
  'kuma.io/MeshGateway',
  'pkg.crossplane.io/Provider',
  'pkg.crossplane.io/Function',
  'pkg.crossplane.io/DeploymentRuntimeConfig',
  'apiextensions.crossplane.io/CompositeResourceDefinition',
  'apiextensions.crossplane.io/Composition',
  'kubernetes.crossplane.io/ProviderConfig',
  'kubernetes.crossplane.io/Object',
  'cdi.kubevirt.io/CDI',
  'gcp.upbound.io/ProviderConfig',
  'gcp.upbound.io/StoreConfig',
  'storage.gcp.upbound.io/Bucket',
  'storage.gcp.upbound.io/BucketIAMMember',
  'dns.gcp.upbound.io/RecordSet',
  'dns.gcp.upbound.io/ManagedZone',
]);

/** `apps/v1` → `apps`; `v1` → `` (the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `group/Kind` key of an apiVersion + kind (`v1`/`Namespace` → `Namespace`). */
export function kindKey(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? kind : `${apiVersion.slice(0, slash)}/${kind}`;
}

export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kindKey(apiVersion, kind));
}

/**
 * The Secret an ExternalSecret writes: `spec.target.name`, or the ExternalSecret's own name when that
 * is unset or empty, as External Secrets decides it (pkg/controllers/externalsecret/
 * externalsecret_controller.go: `if secretName == "" { secretName = externalSecret.Name }`).
 */
export function externalSecretTarget(object: { readonly metadata: { readonly name: string }; readonly spec?: { readonly target?: { readonly name?: string } } }): string {
  return object.spec?.target?.name || object.metadata.name;
}
