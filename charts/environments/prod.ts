import { BASE_DOMAIN, PLATFORM, PROD_NODES } from './platform.ts';
import { sandbox } from './sandbox.ts';
import { staging } from './staging.ts';
import type { Environment } from './types.ts';

/** The bare-metal Talos host cluster: runs Argo CD, Vault, storage, mesh, edge, observability and the vclusters. */
export const prod: Environment = {
  name: 'prod',
  description: 'Talos host cluster managed by Omni',
  platform: PLATFORM,
  cluster: { kind: 'talos', kubernetesVersion: '1.28', nodes: PROD_NODES },
  domain: BASE_DOMAIN,
  certificateIssuer: 'letsencrypt-prod',
  destination: { name: 'in-cluster', server: 'https://kubernetes.default.svc' },
  hostProvided: { storageClasses: [], namespaces: [] },
  services: {
    'gateway-api': {},
    'cert-manager': { replicas: 2 },
    gateway: {},
    // The vclusters' domains reach their own Gateways through this one (their issuers stay theirs).
    'hosted-edges': { environments: [staging, sandbox] },
    // Publishes prod's routes and the vclusters' wildcard names (their HTTPProxies); the vclusters run none.
    'external-dns': {},
  },
};
