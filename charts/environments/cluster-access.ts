import type { ClusterMember } from './types.ts';

/**
 * Who may reach the Talos/Omni cluster `cedille-cluster`, and with which Omni role: the club's roster
 * at its last export (../shared/PLATFORM.md, 35 members). One line per member, sorted by login;
 * synth writes the Omni access policy (dist/omni/access-policy.yaml) and the Kubernetes RBAC from it.
 *
 * `omniIdentity` is the e-mail address of the member's Omni login: personal data, filled by the club
 * (never invented). A member without one gets no Omni rule, and every synth lists them in a warning.
 * Adding a member: the "Cluster access" issue form opens the pull request that adds the line
 * (scripts/request-pr.ts), or add it by hand: { github, role, teams?, omniIdentity? }.
 */
// biome-ignore format: one entry per line, the lines `npm run request` adds (tools/requests.ts)
export const CLUSTER_MEMBERS: readonly ClusterMember[] = [
  { github: 'Aeneid201', role: 'Reader' },
  { github: 'alexvegas22', role: 'Operator' },
  { github: 'AmineFanid', role: 'Reader' },
  { github: 'andrei22131', role: 'Operator' },
  { github: 'AppleComputer381', role: 'Operator' },
  { github: 'ariannelafraise', role: 'Reader' },
  { github: 'BondSamuel', role: 'Reader' },
  { github: 'boredsimo', role: 'Operator' },
  { github: 'christiano-maker', role: 'Reader' },
  { github: 'compilade', role: 'None' },
  { github: 'Epsot', role: 'Operator' },
  { github: 'etienneoh', role: 'Operator' },
  { github: 'GreatSymphonia', role: 'Reader' },
  { github: 'HassaanBahsoun', role: 'Operator' },
  { github: 'Hertinox0', role: 'Reader' },
  { github: 'hodux', role: 'Operator' },
  { github: 'jonismo', role: 'Reader' },
  { github: 'JulienGiguere', role: 'Operator' },
  { github: 'justlac', role: 'Operator' },
  { github: 'kingNomad3', role: 'Reader' },
  { github: 'Kyohkotsu', role: 'Reader' },
  { github: 'lilianfelix-prog', role: 'Operator' },
  { github: 'LucaChouinard', role: 'Reader' },
  { github: 'mataai', role: 'Operator' },
  { github: 'Meddad-Red', role: 'Reader' },
  { github: 'mhd-hi', role: 'Operator' },
  { github: 'nqlp', role: 'Operator' },
  { github: 'Oxsw1ng', role: 'Operator' },
  { github: 'qvpnguyen', role: 'Operator' },
  { github: 'raphaelNguimbus', role: 'Operator' },
  { github: 'RussellJimmies', role: 'Operator' },
  { github: 'Stoaties', role: 'Reader' },
  { github: 'svc-cedille-user', role: 'Reader' },
  { github: 'Thanthan77', role: 'Reader' },
  { github: 'Vianpyro', role: 'Reader' },
];
