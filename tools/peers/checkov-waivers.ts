/**
 * THE reviewed list of Checkov findings we accept, each with its reason (`npm run peers`). A finding
 * not listed fails CI until it is fixed or waived here; a waiver (or one pattern of it) that matches
 * nothing fails too, so a fix must remove its waiver in the same change.
 *
 * Each entry is ONE check id (no wildcard), `from` ('ours' = our synthesized dist/ files, 'charts' =
 * the rendered third-party charts, or 'both'), `resources` ('all' for every resource of that origin,
 * else patterns matched against Checkov's `Kind.namespace.name`; cluster-scoped kinds show namespace
 * `default`) and the reason. `waive([ids], …)` writes one entry per id with the same reason.
 *
 * Entries marked OPEN DEFECT are real, cheap fixes in our own objects (charts/platform/**) accepted
 * only until they are fixed; the fix deletes the entry (it then matches nothing and fails).
 */
import type { CheckovWaiver } from './checkov.ts';

type Entry = Omit<CheckovWaiver, 'check'>;
const waive = (checks: readonly string[], entry: Entry): CheckovWaiver[] => checks.map((check) => ({ check, ...entry }));

/** `Kind.<namespace>.name` in one of the namespaces. */
const inNamespaces = (...namespaces: string[]): RegExp => new RegExp(`^[A-Za-z]+\\.(${namespaces.join('|')})\\.[^.]`);
/** Exactly one resource, `Kind.namespace.name`. */
const exactly = (resource: string): RegExp => new RegExp(`^${resource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

// Our own workloads (charts/platform/**).
const MERBRIDGE = exactly('DaemonSet.merbridge.merbridge');
const CONTOUR_PROVISIONER = exactly('Deployment.projectcontour.contour-gateway-provisioner');
const HOTROD = exactly('Deployment.sample.hotrod');
const OAUTH2_PROXY = exactly('Deployment.sample.oauth2-proxy');
const KUBE_ROUTER = exactly('DaemonSet.kube-router.kube-router');
const VAULT_BACKUP = exactly('CronJob.vault.backup-vault');
const CLICKHOUSE_BACKUP = exactly('CronJob.clickhouse.backup-clickhouse');

// The rendered charts' workloads, grouped by why they need what Checkov flags.
/** vcluster syncers (one StatefulSet per virtual cluster: staging, sandbox, per-user sandboxes). */
const VCLUSTERS = /^StatefulSet\.(vcluster-[a-z0-9-]+|sandbox-[a-z0-9-]+)\.[a-z0-9-]+$/;
/** OpenEBS Mayastor node agents (io-engine, CSI node, HA node agent) and its CSI controller. */
const OPENEBS = inNamespaces('openebs');
const KUMA_CNI = exactly('DaemonSet.kube-system.kuma-cni-node');

export const CHECKOV_WAIVERS: readonly CheckovWaiver[] = [
  // ---------------------------------------------------------------------------------------------
  // Platform-wide choices (every image, ours and the charts').
  ...waive(['CKV_K8S_43'], {
    from: 'both',
    resources: 'all',
    reason:
      'images are pinned by exact version tag in one place, charts/environments/catalogue.ts (decision 0002), and the gate rule pinned-images refuses a missing or floating tag; we do not pin digests, an upgrade is one reviewed catalogue edit',
  }),
  ...waive(['CKV_K8S_15'], {
    from: 'both',
    resources: 'all',
    reason:
      'with version-pinned tags IfNotPresent (or the chart default) is deliberate: Always makes every pod start depend on the registry; the gate rule pinned-images refuses Always without a digest (docs/validation.md)',
  }),
  ...waive(['CKV_K8S_11'], {
    from: 'both',
    resources: 'all',
    reason:
      'no CPU limits by convention (our objects set a memory limit and a CPU request: gateway.ts, sample-app.ts, opentelemetry.ts): CPU is compressible and a CPU limit only throttles a pod while its node has idle CPU; memory is the capped resource',
  }),

  // ---------------------------------------------------------------------------------------------
  // Our own objects.
  ...waive(['CKV_K8S_16', 'CKV_K8S_19', 'CKV_K8S_20', 'CKV_K8S_22', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_29', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_40'], {
    from: 'ours',
    resources: [KUBE_ROUTER],
    reason: "kube-router (firewall only) writes the nodes' iptables and ipsets in the host network namespace: privileged, host network, root by design, in its own namespace at Pod Security privileged (decision 0604)",
  }),
  ...waive(['CKV_K8S_9'], {
    from: 'ours',
    resources: [KUBE_ROUTER],
    reason: 'kube-router has a liveness probe on its health port; a readiness probe would gate nothing: the DaemonSet serves no traffic and sits behind no Service',
  }),
  ...waive(['CKV_K8S_38'], {
    from: 'ours',
    resources: [VAULT_BACKUP],
    reason: 'the raft snapshot job logs in to Vault with Kubernetes auth (role raft-snapshot), which is its ServiceAccount token; the ClickHouse backup job gets none',
  }),
  ...waive(['CKV_K8S_35'], {
    from: 'ours',
    resources: [OAUTH2_PROXY],
    reason:
      "oauth2-proxy v7.7 takes its cookie secret only as a flag or its environment (OAUTH2_PROXY_COOKIE_SECRET): the three values come by secretKeyRef from the Secret the host's External Secrets pushes from Vault (decision 0907), never from git, and are not logged",
  }),
  ...waive(['CKV_K8S_35'], {
    from: 'ours',
    resources: [CLICKHOUSE_BACKUP],
    reason: "ClickHouse's BACKUP … TO S3(url, key, secret) takes the HMAC key inline: the job's script reads it from the environment (an ExternalSecret from Vault) into the statement, never onto disk or the log",
  }),
  ...waive(['CKV_K8S_16', 'CKV_K8S_19', 'CKV_K8S_20', 'CKV_K8S_22', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_29', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_40'], {
    from: 'ours',
    resources: [MERBRIDGE],
    reason: 'Merbridge loads eBPF programs into the host kernel and attaches them to the host cgroup v2 root: privileged, host network, root by design, in its own namespace at Pod Security privileged (decision 0500)',
  }),
  ...waive(['CKV_K8S_8', 'CKV_K8S_9'], {
    from: 'ours',
    resources: [MERBRIDGE],
    reason: 'Merbridge 0.8.1 (mbctl) serves no health endpoint and its upstream DaemonSet defines no probes; if it is down traffic still flows through the Kuma CNI rules, only slower (decision 0500)',
  }),
  ...waive(['CKV_K8S_38'], {
    from: 'ours',
    resources: [MERBRIDGE, CONTOUR_PROVISIONER, KUBE_ROUTER],
    reason:
      'all three call the API server with their ServiceAccount token: Merbridge watches pods to learn meshed IPs, the Contour gateway provisioner is a controller reconciling Gateways, kube-router watches NetworkPolicies, pods and namespaces',
  }),
  ...waive(['CKV_K8S_8', 'CKV_K8S_9'], {
    from: 'ours',
    resources: [CONTOUR_PROVISIONER],
    reason: 'OPEN DEFECT (charts/platform/gateway/gateway.ts): the provisioner Deployment has no liveness or readiness probe; upstream serves controller-runtime health endpoints that could be enabled and probed',
  }),
  ...waive(['CKV_K8S_8', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_29', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_38', 'CKV_K8S_40'], {
    from: 'ours',
    resources: [HOTROD],
    reason:
      'OPEN DEFECT (charts/platform/sample-app/sample-app.ts): the staging sample has no liveness probe, no pod securityContext (runAsNonRoot, high runAsUser, seccomp RuntimeDefault), no capabilities drop ALL, and mounts a token it never uses',
  }),
  ...waive(['CKV_K8S_49'], {
    from: 'ours',
    resources: [exactly('ClusterRole.default.platform-resources-view')],
    reason: 'read-only (get, list, watch) over the resources of the listed platform CRD groups only, so new kinds of those groups are viewable (decision 0005); no core group, no Secrets, no write verb',
  }),

  // ---------------------------------------------------------------------------------------------
  // Rendered third-party charts (pinned in the catalogue; we set values, we do not patch templates).
  ...waive(['CKV_K8S_38'], {
    from: 'charts',
    resources: 'all',
    reason:
      'chart workloads are controllers, operators, webhooks, node agents and hook Jobs that call the API server with their token; the few that do not (argocd-redis, openebs-etcd, openebs-nats) get the chart default, we do not patch vendor templates',
  }),
  ...waive(['CKV_K8S_10', 'CKV_K8S_12', 'CKV_K8S_13'], {
    from: 'charts',
    resources: 'all',
    reason: 'chart default resources (requests/memory limits unset) for components not yet sized on the club cluster; sizing them from measured usage is open work in the charts values, not a choice',
  }),
  ...waive(['CKV_K8S_8', 'CKV_K8S_9'], {
    from: 'charts',
    resources: 'all',
    reason: "the chart's own probe choice: Jobs, hook pods and components whose upstream template defines no probe (or only one of the two); we do not patch vendor templates",
  }),
  ...waive(['CKV_K8S_16', 'CKV_K8S_19', 'CKV_K8S_20', 'CKV_K8S_22', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_29', 'CKV_K8S_30', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_40'], {
    from: 'charts',
    resources: [OPENEBS],
    reason:
      'OpenEBS Mayastor: the io-engine and CSI/HA node agents need privileged, host network, root and hugepages/NVMe-oF host access by design; the namespace is Pod Security privileged (decision 0200); its other pods use chart defaults',
  }),
  ...waive(['CKV_K8S_20', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_40'], {
    from: 'charts',
    resources: [KUMA_CNI],
    reason: 'the Kuma CNI node agent installs a CNI plugin and its config on the host as root (decision 0500); kube-system is exempt from Pod Security on Talos',
  }),
  ...waive(['CKV_K8S_20', 'CKV_K8S_22', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_29', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_40'], {
    from: 'charts',
    resources: [VCLUSTERS],
    reason: 'vcluster syncers run the virtual control plane (k3s/k8s distro) and write its data directory; the chart runs them as root with a writable filesystem; host namespaces are guarded by decision 0602',
  }),
  ...waive(['CKV_K8S_20', 'CKV_K8S_22', 'CKV_K8S_23', 'CKV_K8S_28', 'CKV_K8S_29', 'CKV_K8S_30', 'CKV_K8S_31', 'CKV_K8S_37', 'CKV_K8S_40'], {
    from: 'charts',
    resources: [inNamespaces('argocd', 'cert-manager', 'clickhouse', 'crossplane-system', 'external-secrets', 'grafana', 'kube-system', 'kuma-system', 'opentelemetry', 'vault')],
    reason:
      'chart default securityContext of the operators and controllers (fields left unset or not at the pod level Checkov reads); their namespace Pod Security label is what the API server enforces (gate rule namespace-labels)',
  }),
  ...waive(['CKV_K8S_35'], {
    from: 'charts',
    resources: [inNamespaces('argocd', 'grafana')],
    reason: 'Argo CD reads the Redis password and Grafana its admin credentials from Secret env vars as their charts template them; the Secrets come from the cluster or Vault, not git',
  }),
  ...waive(['CKV_K8S_25'], {
    from: 'charts',
    resources: [exactly('Deployment.grafana.grafana')],
    reason: "the Grafana chart's init container that chowns the data volume adds CHOWN; it runs once before Grafana starts",
  }),
  ...waive(['CKV_K8S_49', 'CKV_K8S_155', 'CKV_K8S_156', 'CKV_K8S_157', 'CKV_K8S_158'], {
    from: 'charts',
    resources: [/^ClusterRole\.default\.(argocd-(application-controller|server)|cert-manager-cainjector|crossplane[-:][a-z:-]+|external-secrets-cert-controller|openebs-localpv-provisioner)$/],
    reason:
      'cluster-wide rights by design: Argo CD applies every object of the platform, Crossplane manages RBAC for its providers, cainjector and the ESO cert controller patch webhook CA bundles, the LocalPV provisioner manages PVs',
  }),
  ...waive(['CKV2_K8S_5'], {
    from: 'charts',
    resources: [exactly('ClusterRoleBinding.default.grafana-clusterrolebinding'), exactly('RoleBinding.argocd.argocd-dex-server')],
    reason: "Grafana's dashboard sidecar lists Secrets and ConfigMaps cluster-wide to find labelled dashboards; Dex reads argocd-secret in its own namespace for its client secrets",
  }),
];
