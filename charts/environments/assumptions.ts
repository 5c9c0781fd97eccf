/**
 * Every value the platform needs that nobody recorded (../shared/PLATFORM.md says so for each): kept
 * here, and only here, with why it was chosen and how to confirm it, so the club changes each one with
 * one edit. Data files read `.value`; `npm run synth` does not guess anything else.
 */
export interface Assumption<T> {
  readonly value: T;
  /** `assumed`: a default we believe holds; `proposed`: ours to choose (PLATFORM.md calls it *proposed*). */
  readonly kind: 'assumed' | 'proposed';
  /** Why this value. */
  readonly basis: string;
  /** How a maintainer confirms or replaces it. */
  readonly confirm: string;
}

export const ASSUMPTIONS = {
  podCidr: {
    value: '10.244.0.0/16',
    kind: 'assumed',
    basis: "Talos's default pod CIDR; the cluster's real one is not recorded anywhere",
    confirm: 'omnictl get clusters cedille-cluster -o yaml (or talosctl get machineconfig: cluster.network.podSubnets)',
  },
  serviceCidr: {
    value: '10.96.0.0/12',
    kind: 'assumed',
    basis: "Talos's default service CIDR; the cluster's real one is not recorded anywhere",
    confirm: 'talosctl get machineconfig: cluster.network.serviceSubnets',
  },
  edgeHostname: {
    value: 'edge.omni.cedille.club',
    kind: 'proposed',
    basis: "the edge node's public address is not recorded; one hand-kept A record that every published name points to (CNAME)",
    confirm: "create the A record for omni-endpoint-vm's public address in the Cloud DNS zone, or change this name",
  },
  sandboxDomain: {
    value: 'sandbox.omni.cedille.club',
    kind: 'proposed',
    basis: 'PLATFORM.md proposes it for the shared sandbox vcluster',
    confirm: 'the club confirms the name (it is a wildcard CNAME to the edge)',
  },
} as const satisfies Record<string, Assumption<string>>;
