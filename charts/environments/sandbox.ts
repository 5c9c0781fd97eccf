import { ASSUMPTIONS } from './assumptions.ts';
import { PLATFORM } from './platform.ts';
import { SANDBOX_USERS } from './sandbox-users.ts';
import type { Environment } from './types.ts';

/** A shared vcluster on prod for experiments (per-user sandboxes are separate vclusters). */
export const sandbox: Environment = {
  name: 'sandbox',
  description: 'vcluster `sandbox` on the prod host',
  platform: PLATFORM,
  cluster: { kind: 'vcluster', host: 'prod', nodes: [] },
  domain: ASSUMPTIONS.sandboxDomain.value,
  certificateIssuer: 'letsencrypt-staging',
  destination: { name: 'sandbox', server: 'https://sandbox.vcluster-sandbox.svc:443' },
  hostProvided: { storageClasses: ['mayastor', 'local-hostpath'], namespaces: [] },
  services: {
    'gateway-api': {},
    'cert-manager': {},
    // Envoy behind the host's: prod's hosted-edges forwards *.<domain> here.
    gateway: {},
  },
  sandboxUsers: SANDBOX_USERS,
};
