import type { GateWaiver } from '../lib/validation/types.ts';

/**
 * Gaps of the current tree the gate accepts for now, each with the issue that closes it. Waived
 * errors are listed by synth and `npm run validate` (never hidden); a waiver that matches nothing
 * fails the gate, so each one is removed in the change that closes its gap.
 * See docs/decisions/0104-gate-waivers.md.
 */
export const GATE_WAIVERS: readonly GateWaiver[] = [
  {
    rule: 'schema',
    message: /^no schema for gcp\.upbound\.io\/v1beta1 ProviderConfig: /,
    reason: 'the Upbound GCP provider CRDs are not among the pinned schemas (../shared/schemas); add them so the ProviderConfig is checked',
    issue: 10,
  },
];
