/**
 * How a virtual cluster on the host is named and reached. One place for the convention, because
 * three parts of the code must agree on it: the vcluster service (which installs the vcluster and
 * registers it in Argo CD), the roots (whose AppProjects and Applications deploy to it) and the
 * environment data (whose `destination.server` must be the registered server).
 */
export interface VClusterAddress {
  /** vcluster (Helm release) name: also the name of its Service and of the Argo CD cluster. */
  readonly name: string;
  /** Host namespace the vcluster runs in. */
  readonly namespace: string;
  /** API server URL as Argo CD reaches it from the host: the vcluster Service, port 443. */
  readonly server: string;
  /** Secret (in `namespace`) where vcluster writes its kubeconfig (`exportKubeConfig.secret.name`). */
  readonly kubeconfigSecret: string;
}

/** `https://<name>.<namespace>.svc:443`: the in-cluster address of a vcluster's API server. */
export function vclusterServer(name: string, namespace: string): string {
  return `https://${name}.${namespace}.svc:443`;
}

function address(name: string, namespace: string): VClusterAddress {
  return { name, namespace, server: vclusterServer(name, namespace), kubeconfigSecret: `vc-${name}` };
}

/** The vcluster of a whole environment (`staging`, `sandbox`): vcluster `<env>` in namespace `vcluster-<env>`. */
export function environmentVCluster(environmentName: string): VClusterAddress {
  return address(environmentName, `vcluster-${environmentName}`);
}

/**
 * A user's personal sandbox: vcluster `sandbox-<login>` in namespace `sandbox-<login>` (lower case:
 * GitHub logins are case-insensitive, Kubernetes names are lower-case).
 */
export function sandboxUserVCluster(githubLogin: string): VClusterAddress {
  const name = `sandbox-${githubLogin.toLowerCase()}`;
  return address(name, name);
}
