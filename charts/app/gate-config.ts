import type { GateOptions } from '../../gate/gate.ts';
import { packageOrderingRule } from '../../gate/package-ordering.ts';
import { publicRoutesRule } from '../../gate/public-routes.ts';
import { secretReferencesRule } from '../../gate/secret-references.ts';
import { PACKAGES } from '../environments/catalogue.ts';
import type { Environment } from '../environments/types.ts';
import { gateFacts, hostPushedSecrets } from './gate-facts.ts';
import { GATE_WAIVERS } from './gate-waivers.ts';

/**
 * The one gate configuration of the platform: `npm run synth`, `npm run validate` and the cdk8s
 * plugin (which runs `validate`) all judge with it, so they report the same errors on the same tree.
 * Besides the gate's own rules: the Crossplane package ordering (the catalogue's packages) and the
 * key-level Secret references (hand-made Secrets declared in the environment data), and the public
 * routes (backends declared public in the environment data).
 */
export function platformGateOptions(environments: readonly Environment[]): GateOptions {
  // hand-made Secrets, and those a host pushes from Vault into its vclusters (with their keys)
  const declared = [...(environments[0]?.platform.handProvidedSecrets ?? []), ...hostPushedSecrets(environments)];
  return {
    facts: gateFacts(environments),
    waivers: GATE_WAIVERS,
    rules: [packageOrderingRule(PACKAGES), secretReferencesRule(declared), publicRoutesRule(environments[0]?.platform.publicBackends ?? [])],
  };
}
