import { CHARTS, IMAGES, MANIFESTS, PACKAGES, RELEASE_ASSETS } from '../environments/catalogue.ts';
import { ENVIRONMENT_NAMES, type Environment, type SandboxUser } from '../environments/types.ts';
import { ConfigErrors } from '../lib/config-errors.ts';
import { isDnsLabel, isDomain } from '../lib/names.ts';
import { SERVICES, isServiceName, ROOT_FOLDER } from '../platform/registry.ts';

const ISSUERS = ['letsencrypt-prod', 'letsencrypt-staging'] as const;
const SANDBOX_SIZES = ['small', 'medium', 'large'] as const;
/** GitHub logins: alphanumerics and single inner dashes, at most 39 characters. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A released version: no ranges, no floating names. */
const PINNED_VERSION = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const FLOATING_TAGS = new Set(['latest', 'main', 'master', 'stable', 'edge', 'nightly', 'HEAD']);

/** Checks the data of every environment; returns one message per problem (nothing thrown). */
export function validateEnvironments(environments: readonly Environment[]): string[] {
  const messages: string[] = [];
  const seen = new Set<string>();
  for (const [index, environment] of environments.entries()) {
    const errors = new ConfigErrors(String(environment?.name ?? `environments[${index}]`), 'environment');
    validateEnvironment(environment, environments, errors);
    if (seen.has(environment.name)) {
      errors.add({ field: 'name', value: environment.name, problem: 'another environment has the same name', fix: 'give each environment its own name' });
    }
    seen.add(environment.name);
    messages.push(...errors.list());
  }
  messages.push(...validateCatalogue());
  messages.push(...validatePackagePins());
  return messages;
}

function validateEnvironment(env: Environment, all: readonly Environment[], errors: ConfigErrors): void {
  errors.check((ENVIRONMENT_NAMES as readonly string[]).includes(env.name), {
    field: 'name',
    value: env.name,
    problem: `environments are ${ENVIRONMENT_NAMES.join(', ')}`,
    fix: 'use one of those names (a new environment also needs its entry in ENVIRONMENT_NAMES)',
  });
  const zone = env.platform.gcp.dnsZone;
  if (!isDomain(env.domain)) {
    errors.add({ field: 'domain', value: env.domain, problem: 'it is not a lower-case DNS domain', fix: `use a domain like "staging.${zone}"` });
  } else {
    errors.check(env.domain === zone || env.domain.endsWith(`.${zone}`), {
      field: 'domain',
      value: env.domain,
      problem: `external-dns publishes only in the zone ${zone}`,
      fix: `use ${zone} or a subdomain of it`,
    });
  }
  errors.check((ISSUERS as readonly string[]).includes(env.certificateIssuer), {
    field: 'certificateIssuer',
    value: env.certificateIssuer,
    problem: `the issuers are ${ISSUERS.join(', ')}`,
    fix: 'use letsencrypt-prod for prod and letsencrypt-staging elsewhere',
  });
  const expectedIssuer = env.name === 'prod' ? 'letsencrypt-prod' : 'letsencrypt-staging';
  if ((ISSUERS as readonly string[]).includes(env.certificateIssuer)) {
    errors.check(env.certificateIssuer === expectedIssuer, {
      field: 'certificateIssuer',
      value: env.certificateIssuer,
      problem: `${env.name} must use ${expectedIssuer} (prod uses prod certificates, staging and sandbox staging ones, never the reverse)`,
      fix: `set certificateIssuer: '${expectedIssuer}'`,
    });
  }
  errors.check(/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(env.destination.server), {
    field: 'destination.server',
    value: env.destination.server,
    problem: 'Argo CD destinations are https URLs of an API server',
    fix: 'use e.g. https://kubernetes.default.svc for the host',
  });
  validateCluster(env, all, errors);
  validateServices(env, errors);
  validateSandboxUsers(env.sandboxUsers ?? [], errors);
}

function validateCluster(env: Environment, all: readonly Environment[], errors: ConfigErrors): void {
  const version = env.platform.kubernetesVersion;
  if (!/^1\.\d+$/.test(version)) {
    errors.add({ field: 'platform.kubernetesVersion', value: version, problem: 'it is not a Kubernetes minor version', fix: 'write it as "1.28"' });
    return;
  }
  if (env.cluster.kind === 'vcluster') {
    const host = all.find((candidate) => candidate.name === env.cluster.host);
    if (!host) {
      errors.add({
        field: 'cluster.host',
        value: env.cluster.host,
        problem: 'a vcluster needs the environment whose cluster hosts it',
        fix: `name a host among ${all.map((e) => e.name).join(', ')}`,
      });
    }
    // A vcluster runs the platform's one Kubernetes minor, the host's: always one the host supports
    // (the old setup ran 1.23 inside a 1.27 host).
  }
  const names = new Set<string>();
  for (const [index, node] of env.cluster.nodes.entries()) {
    errors.check(isDnsLabel(node.name), {
      field: `cluster.nodes[${index}].name`,
      value: node.name,
      problem: 'node names are DNS labels',
      fix: 'use the name Omni shows for the machine',
    });
    errors.check(!names.has(node.name), {
      field: `cluster.nodes[${index}].name`,
      value: node.name,
      problem: 'another node has the same name',
      fix: 'list each machine once',
    });
    names.add(node.name);
  }
}

function validateServices(env: Environment, errors: ConfigErrors): void {
  for (const name of Object.keys(env.services)) {
    if (!isServiceName(name)) {
      errors.add({
        field: 'services',
        value: name,
        problem: `it is not a service of the registry (${Object.keys(SERVICES).join(', ')})`,
        fix: 'fix the name, or add the service to charts/platform/registry.ts',
      });
    }
    if (name === ROOT_FOLDER) {
      errors.add({ field: 'services', value: name, problem: `"${ROOT_FOLDER}" is the folder of the Argo CD root`, fix: 'rename the service' });
    }
  }
}

function validateSandboxUsers(users: readonly SandboxUser[], errors: ConfigErrors): void {
  const seen = new Set<string>();
  for (const [index, user] of users.entries()) {
    const field = `sandboxUsers[${index}]`;
    const login = user.github;
    const valid =
      typeof login === 'string' &&
      errors.check(GITHUB_LOGIN.test(login) && isDnsLabel(`sandbox-${login.toLowerCase()}`), {
        field: `${field}.github`,
        value: login,
        problem: 'it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters)',
        fix: "use the user's GitHub login exactly",
      });
    if (valid) {
      const key = login.toLowerCase();
      errors.check(!seen.has(key), {
        field: `${field}.github`,
        value: login,
        problem: 'this user already has a sandbox (GitHub logins are case-insensitive)',
        fix: 'remove the duplicate line',
      });
      seen.add(key);
    }
    if (user.expires !== undefined) {
      errors.check(isIsoDate(user.expires), {
        field: `${field}.expires`,
        value: user.expires,
        problem: 'it is not a date written YYYY-MM-DD',
        fix: 'write the last day of the sandbox, e.g. "2027-05-01"',
      });
    }
    if (user.size !== undefined) {
      errors.check((SANDBOX_SIZES as readonly string[]).includes(user.size), {
        field: `${field}.size`,
        value: user.size,
        problem: `sizes are ${SANDBOX_SIZES.join(', ')}`,
        fix: 'pick one of those sizes',
      });
    }
  }
}

export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Every chart, manifest and image of the catalogue is pinned to a released version. */
export function validateCatalogue(catalogue: { charts: object; manifests: object; images: object } = { charts: CHARTS, manifests: MANIFESTS, images: IMAGES }): string[] {
  const errors = new ConfigErrors('all environments', 'catalogue');
  const file = 'charts/environments/catalogue.ts';
  for (const [key, pin] of Object.entries(catalogue.charts) as [string, Record<string, unknown>][]) {
    errors.check(typeof pin.version === 'string' && PINNED_VERSION.test(pin.version), {
      field: `CHARTS.${key}.version`,
      value: pin.version,
      problem: 'every chart is pinned to one released version (no range, no floating name)',
      fix: `set the chart version in ${file}`,
    });
    errors.check(typeof pin.repoURL === 'string' && /^(https|oci):\/\//.test(pin.repoURL), {
      field: `CHARTS.${key}.repoURL`,
      value: pin.repoURL,
      problem: 'charts come from an https or oci repository',
      fix: `set the chart repository in ${file}`,
    });
  }
  for (const [key, pin] of Object.entries(catalogue.manifests) as [string, Record<string, unknown>][]) {
    errors.check(typeof pin.tag === 'string' && PINNED_VERSION.test(pin.tag), {
      field: `MANIFESTS.${key}.tag`,
      value: pin.tag,
      problem: 'upstream manifests are read at a release tag, never a branch',
      fix: `set the release tag in ${file}`,
    });
  }
  for (const [key, pin] of Object.entries(catalogue.images) as [string, Record<string, unknown>][]) {
    const tag = pin.tag;
    errors.check(typeof tag === 'string' && tag.length > 0 && !FLOATING_TAGS.has(tag), {
      field: `IMAGES.${key}.tag`,
      value: tag,
      problem: 'images are pinned to a released tag (latest, main and the like move)',
      fix: `set a released tag in ${file}`,
    });
  }
  return errors.list();
}

/** Crossplane packages and release assets are pinned to released versions too. */
export function validatePackagePins(pins: { packages: object; releaseAssets: object } = { packages: PACKAGES, releaseAssets: RELEASE_ASSETS }): string[] {
  const errors = new ConfigErrors('all environments', 'catalogue');
  const file = 'charts/environments/catalogue.ts';
  for (const [key, pin] of Object.entries(pins.packages) as [string, Record<string, unknown>][]) {
    errors.check(typeof pin.version === 'string' && PINNED_VERSION.test(pin.version), {
      field: `PACKAGES.${key}.version`,
      value: pin.version,
      problem: 'every Crossplane package is pinned to one released version',
      fix: `set the package version in ${file}`,
    });
    for (const dependency of (pin.dependsOn as string[] | undefined) ?? []) {
      errors.check(Object.hasOwn(pins.packages, dependency), {
        field: `PACKAGES.${key}.dependsOn`,
        value: dependency,
        problem: 'a dependency is installed explicitly at its own pin, so it must be a package of the catalogue',
        fix: `add ${dependency} to PACKAGES in ${file}`,
      });
    }
  }
  for (const [key, pin] of Object.entries(pins.releaseAssets) as [string, Record<string, unknown>][]) {
    errors.check(typeof pin.tag === 'string' && PINNED_VERSION.test(pin.tag), {
      field: `RELEASE_ASSETS.${key}.tag`,
      value: pin.tag,
      problem: 'release assets are read from one release, never a moving name like "latest"',
      fix: `set the release tag in ${file}`,
    });
  }
  return errors.list();
}
