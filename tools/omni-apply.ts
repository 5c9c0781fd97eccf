/**
 * Applies the generated Omni access policy with omnictl, as the club's old `apply-omni` workflow
 * did: on `main` for real, in pull requests with `--dry-run`. omnictl reads its endpoint and
 * service-account key from OMNI_ENDPOINT and OMNI_SERVICE_ACCOUNT_KEY (repository settings in CI).
 * Before calling it, the file is checked to be the one synth writes, for the cluster of the data.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface OmniApplyOptions {
  readonly file: string;
  readonly clusterName: string;
  readonly dryRun: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Runs omnictl; injected by tests. */
  readonly run?: (command: string, args: readonly string[], env: NodeJS.ProcessEnv) => { status: number | null; stdout: string; stderr: string };
}

const POLICY_TYPE = 'AccessPolicies.omni.sidero.dev';

const spawnRun: NonNullable<OmniApplyOptions['run']> = (command, args, env) => {
  const result = spawnSync(command, [...args], { env, encoding: 'utf8' });
  if (result.error) return { status: null, stdout: '', stderr: result.error.message };
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** The exit code and what to print. */
export function omniApply(options: OmniApplyOptions): { code: number; output: string } {
  const { file, clusterName, dryRun, env } = options;
  if (!existsSync(file)) return { code: 1, output: `${file} does not exist; run npm run synth (cluster-access must run in prod)` };
  const policy = parse(readFileSync(file, 'utf8')) as { metadata?: { type?: string }; spec?: { rules?: { clusters?: string[] }[] } };
  if (policy?.metadata?.type !== POLICY_TYPE) return { code: 1, output: `${file} is not an Omni ${POLICY_TYPE} document` };
  const foreign = (policy.spec?.rules ?? []).filter((rule) => JSON.stringify(rule.clusters) !== JSON.stringify([clusterName]));
  if (foreign.length > 0) return { code: 1, output: `${file} has ${foreign.length} rule(s) for clusters other than ${clusterName}; run npm run synth` };
  const missing = ['OMNI_ENDPOINT', 'OMNI_SERVICE_ACCOUNT_KEY'].filter((name) => !env[name]);
  if (missing.length > 0)
    return { code: 1, output: `${missing.join(' and ')} not set: omnictl needs the Omni endpoint and a service-account key (repository settings: variable OMNI_ENDPOINT, secret OMNI_SERVICE_ACCOUNT_KEY)` };
  const omnictl = env.OMNICTL || 'omnictl';
  const args = ['apply', '-f', file, ...(dryRun ? ['--dry-run'] : [])];
  const result = (options.run ?? spawnRun)(omnictl, args, env);
  const output = `${omnictl} ${args.join(' ')}\n${result.stdout}${result.stderr}`.trimEnd();
  return { code: result.status === 0 ? 0 : 1, output };
}
