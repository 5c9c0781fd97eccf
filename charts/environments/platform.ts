import { ASSUMPTIONS } from './assumptions.ts';
import type { ClusterNode, PlatformFacts } from './types.ts';

/** Organisation-wide facts (../shared/PLATFORM.md, "Organisation and identity"). */
export const PLATFORM: PlatformFacts = {
  kubernetesVersion: '1.28',
  github: { organisation: 'ClubCedille', adminTeam: 'exec', operatorTeam: 'sre' },
  contactEmail: 'cedille@etsmtl.ca',
  source: { repoURL: 'https://github.com/ClubCedille/Plateforme-Cedille', distBranch: 'dist' },
  oauthClientIds: { argocdDex: 'e9dfb0b51bcceae7aef8', grafana: 'f6accfa77d27b78bbf66' },
  argocdNamespace: 'argocd',
  omni: { clusterName: 'cedille-cluster' },
  network: { podCidr: ASSUMPTIONS.podCidr.value, serviceCidr: ASSUMPTIONS.serviceCidr.value },
  gateway: { name: 'platform', namespace: 'gateway' },
  edgeHostname: ASSUMPTIONS.edgeHostname.value,
  vault: {
    stores: {
      system: { name: 'vault-kv-system', mount: 'kv-system' },
      workloads: { name: 'vault-kv', mount: 'kv' },
    },
  },
  handProvidedSecrets: [
    {
      environment: 'prod',
      namespace: 'vault',
      name: 'vault-gcp-kms',
      keys: ['credentials.json'],
      reason: 'the key of the GCP service account allowed to use the KMS key: Vault needs it to unseal, before it can serve any secret',
      runbook: 'docs/runbooks/vault-bootstrap.md',
    },
  ],
  // Everything else stays off the internet (Vault: kubectl port-forward; decision 0907).
  publicBackends: [
    {
      environment: 'prod',
      namespace: 'argocd',
      service: 'argocd-server',
      authentication: 'GitHub SSO through Dex, organisation ClubCedille only; local admin disabled',
      reason: "Argo CD's web UI and CLI (gRPC-web) for the club's members",
    },
    {
      environment: 'prod',
      namespace: 'grafana',
      service: 'grafana',
      authentication: 'GitHub OAuth, organisation ClubCedille only; login form disabled',
      reason: "the platform's dashboards",
    },
    {
      environment: 'prod',
      namespace: 'vcluster-staging',
      service: 'envoy-platform-x-gateway-x-staging',
      authentication: "none here: TLS passthrough to staging's own Gateway, whose routes this same rule judges",
      reason: '*.staging.omni.cedille.club reaches the staging vcluster (decision 0402)',
    },
    {
      environment: 'prod',
      namespace: 'vcluster-sandbox',
      service: 'envoy-platform-x-gateway-x-sandbox',
      authentication: "none here: TLS passthrough to sandbox's own Gateway, whose routes this same rule judges",
      reason: '*.sandbox.omni.cedille.club reaches the sandbox vcluster (decision 0402)',
    },
    {
      environment: 'staging',
      namespace: 'sample',
      service: 'oauth2-proxy',
      authentication: 'GitHub SSO (oauth2-proxy, org ClubCedille)',
      reason: 'the instrumented demo HotROD, behind its SSO proxy; HotROD itself is never a public backend',
    },
  ],
  gcp: {
    // The club's original project: its Cloud DNS records and its Crossplane ProviderConfig.
    project: 'fine-harbor-276700',
    region: 'northamerica-northeast1',
    dnsZone: 'omni.cedille.club',
    // Vault's unseal key lives in another project (PLATFORM.md, Vault).
    kms: { project: 'plateforme-cedille', keyRing: 'prod-vault-keyring', cryptoKey: 'prod-vault-cryptokey' },
  },
};

/** Base domain of prod; staging and sandbox live under it. */
export const BASE_DOMAIN = 'omni.cedille.club';

const byId = (id: string): string => `/dev/disk/by-id/${id}`;

/**
 * *proposed*: allocatable cpu and memory of each worker. PLATFORM.md records no hardware sizes;
 * replace with `kubectl describe node worker-N` (Allocatable) when known. The capacity check and
 * the sandbox upper bound in docs/capacity.md follow from these two numbers.
 */
const WORKER_CAPACITY = { cpu: '16', memory: '64Gi' } as const;

/**
 * The Talos machines managed by Omni, and the disks Mayastor pools on (by stable id).
 *
 * Static routes: PLATFORM.md gives none yet, so no node lists `interfaces`. To add one, give the node
 * its interfaces (link name from `talosctl get links`, whether it keeps DHCP, its routes), e.g.
 *   interfaces: [{ interface: 'enp3s0', dhcp: true, routes: [{ network: '10.10.0.0/16', gateway: '10.0.0.1', metric: 1024 }] }],
 * then `npm run synth`: dist/talos/<node>.yaml carries it (docs/talos.md).
 */
export const PROD_NODES: readonly ClusterNode[] = [
  { name: 'controlplane-1', role: 'controlplane' },
  { name: 'controlplane-2', role: 'controlplane' },
  { name: 'controlplane-3', role: 'controlplane' },
  {
    name: 'worker-1',
    role: 'worker',
    capacity: WORKER_CAPACITY,
    disks: [byId('ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHR67'), byId('ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N7KEPLJ7')],
  },
  {
    name: 'worker-2',
    role: 'worker',
    capacity: WORKER_CAPACITY,
    disks: [byId('ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N5DAHTP3'), byId('ata-WDC_WD30EFRX-68EUZN0_WD-WCC4N7KEPKF7')],
  },
  {
    name: 'worker-3',
    role: 'worker',
    capacity: WORKER_CAPACITY,
    disks: [byId('ata-ST2000VN004-2E4164_Z5274QJ6'), byId('ata-WDC_WD2004FBYZ-01YCBB1_WD-WMC6N0D6KXX4')],
  },
  {
    name: 'omni-endpoint-vm',
    role: 'edge',
    taints: [{ key: 'role', value: 'ingress-endpoint', effect: 'NoSchedule' }],
  },
];
