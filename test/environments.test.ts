import { describe, expect, it } from 'vitest';
import { validateCatalogue, validateEnvironments } from '../charts/app/validate-environment.ts';
import { ENVIRONMENTS } from '../charts/environments/index.ts';
import { PLATFORM, PROD_NODES } from '../charts/environments/platform.ts';
import type { Environment } from '../charts/environments/types.ts';
import { build, configErrors, environment, withChanges } from './helpers.ts';
import { distFiles } from '../charts/app/dist-files.ts';
import { gateFacts } from '../charts/app/gate-facts.ts';
import { podSecurityLabels } from '../charts/lib/labels.ts';
import { SchemaStore } from '../gate/schema-store.ts';
import { SchemaFiles } from '../gate/schemas-location.ts';

describe('environment data', () => {
  it('the real environments are valid', () => {
    expect(validateEnvironments(ENVIRONMENTS)).toEqual([]);
  });

  it('encodes the facts of PLATFORM.md once', () => {
    expect(PLATFORM.github).toEqual({ organisation: 'ClubCedille', adminTeam: 'exec', operatorTeam: 'sre' });
    expect(environment('prod').domain).toBe('omni.cedille.club');
    expect(environment('staging').domain).toBe('staging.omni.cedille.club');
    expect(environment('sandbox').domain).toBe('sandbox.omni.cedille.club');
    expect(PROD_NODES.flatMap((n) => n.disks ?? [])).toHaveLength(6);
    expect(PROD_NODES.find((n) => n.role === 'edge')?.taints).toEqual([{ key: 'role', value: 'ingress-endpoint', effect: 'NoSchedule' }]);
    expect(environment('sandbox').sandboxUsers?.map((u) => u.github)).toEqual(['svc-cedille-user', 'epsot']);
  });

  it('fails on a malformed domain', () => {
    expect(validateEnvironments([withChanges('prod', { domain: 'Omni_Cedille.club' })])).toEqual([
      'prod › environment: domain is "Omni_Cedille.club" but it is not a lower-case DNS domain; use a domain like "staging.omni.cedille.club"',
    ]);
  });

  it('fails on a domain outside the DNS zone', () => {
    expect(validateEnvironments([withChanges('prod', { domain: 'cedille.example.org' })])).toEqual([
      'prod › environment: domain is "cedille.example.org" but external-dns publishes only in the zone omni.cedille.club; use omni.cedille.club or a subdomain of it',
    ]);
  });

  it('fails on a duplicate sandbox user', () => {
    const sandbox = withChanges('sandbox', { sandboxUsers: [{ github: 'epsot' }, { github: 'EPSOT' }] });
    expect(validateEnvironments([environment('prod'), sandbox])).toEqual([
      'sandbox › environment: sandboxUsers[1].github is "EPSOT" but this user already has a sandbox (GitHub logins are case-insensitive); remove the duplicate line',
    ]);
  });

  it('fails on a malformed sandbox user and expiry', () => {
    const sandbox = withChanges('sandbox', { sandboxUsers: [{ github: '-bad--name', expires: '2026-13-01' }] });
    expect(validateEnvironments([environment('prod'), sandbox])).toEqual([
      'sandbox › environment: sandboxUsers[0].github is "-bad--name" but it is not a GitHub login that fits a namespace name (letters, digits, single dashes, at most 39 characters); use the user\'s GitHub login exactly',
      'sandbox › environment: sandboxUsers[0].expires is "2026-13-01" but it is not a date written YYYY-MM-DD; write the last day of the sandbox, e.g. "2027-05-01"',
    ]);
  });

  it('fails on an unknown service name', () => {
    const prod = withChanges('prod', { services: { ...environment('prod').services, 'cert-manger': {} } as Environment['services'] });
    expect(validateEnvironments([prod])[0]).toMatch(
      /^prod › environment: services is "cert-manger" but it is not a service of the registry \(cert-manager.*\); fix the name, or add the service to charts\/platform\/registry\.ts$/,
    );
  });

  it('fails on a wrong environment name', () => {
    const bad = { ...environment('staging'), name: 'stagin' } as unknown as Environment;
    expect(validateEnvironments([environment('prod'), bad])).toContain(
      'stagin › environment: name is "stagin" but environments are prod, staging, sandbox; use one of those names (a new environment also needs its entry in ENVIRONMENT_NAMES)',
    );
  });

  it('fails when prod would use staging certificates, or staging prod ones', () => {
    expect(validateEnvironments([withChanges('prod', { certificateIssuer: 'letsencrypt-staging' })])).toEqual([
      'prod › environment: certificateIssuer is "letsencrypt-staging" but prod must use letsencrypt-prod (prod uses prod certificates, staging and sandbox staging ones, never the reverse); set certificateIssuer: \'letsencrypt-prod\'',
    ]);
    expect(validateEnvironments([environment('prod'), withChanges('staging', { certificateIssuer: 'letsencrypt-prod' })])).toEqual([
      'staging › environment: certificateIssuer is "letsencrypt-prod" but staging must use letsencrypt-staging (prod uses prod certificates, staging and sandbox staging ones, never the reverse); set certificateIssuer: \'letsencrypt-staging\'',
    ]);
  });

  it("fails when the platform's Kubernetes version is not a minor version", () => {
    const prod = withChanges('prod', { platform: { ...environment('prod').platform, kubernetesVersion: '1.28.3' } });
    expect(validateEnvironments([prod])).toEqual(['prod › environment: platform.kubernetesVersion is "1.28.3" but it is not a Kubernetes minor version; write it as "1.28"']);
  });

  it("reads the one Kubernetes version everywhere: Pod Security labels, the gate's built-in kinds, dist/metadata.json", () => {
    const version = environment('prod').platform.kubernetesVersion;
    expect(ENVIRONMENTS.every((e) => e.platform.kubernetesVersion === version)).toBe(true);
    expect(podSecurityLabels('restricted', version)['pod-security.kubernetes.io/enforce-version']).toBe(`v${version}`);
    expect(gateFacts(ENVIRONMENTS).kubernetesVersion).toBe(version);
    expect(JSON.parse(distFiles(build()).get('metadata.json')!).kubernetesVersion).toBe(version);
    expect(() => new SchemaStore(new SchemaFiles(), '1.99').coreGroups).toThrow(
      "schemas.lock.json pins no Kubernetes 1.99 definitions (kubernetes/v1.99.<patch>/_definitions.json); pin them, or set the platform's kubernetesVersion to a pinned one",
    );
  });

  it('fails on a duplicate environment', () => {
    expect(validateEnvironments([environment('prod'), environment('prod')])).toEqual(['prod › environment: name is "prod" but another environment has the same name; give each environment its own name']);
  });

  it('reports every problem of every environment at once, and build refuses them', () => {
    const messages = configErrors(() => build([withChanges('prod', { domain: 'bad..domain' }), withChanges('staging', { certificateIssuer: 'letsencrypt-prod' }), environment('sandbox')]));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^prod › environment: domain is "bad..domain"/);
    expect(messages[1]).toMatch(/^staging › environment: certificateIssuer is "letsencrypt-prod"/);
  });
});

describe('catalogue', () => {
  it('the real catalogue is pinned', () => {
    expect(validateCatalogue()).toEqual([]);
  });

  it('fails on a missing chart version, a floating image tag and a branch', () => {
    expect(
      validateCatalogue({
        charts: { vault: { repoURL: 'https://helm.releases.hashicorp.com', chart: 'vault', version: '' } },
        manifests: { gatewayApi: { repoURL: 'https://github.com/kubernetes-sigs/gateway-api', tag: 'main', path: 'config' } },
        images: { merbridge: { repository: 'ghcr.io/merbridge/merbridge', tag: 'latest' } },
      }),
    ).toEqual([
      'all environments › catalogue: CHARTS.vault.version is "" but every chart is pinned to one released version (no range, no floating name); set the chart version in charts/environments/catalogue.ts',
      'all environments › catalogue: MANIFESTS.gatewayApi.tag is "main" but upstream manifests are read at a release tag, never a branch; set the release tag in charts/environments/catalogue.ts',
      'all environments › catalogue: IMAGES.merbridge.tag is "latest" but images are pinned to a released tag (latest, main and the like move); set a released tag in charts/environments/catalogue.ts',
    ]);
  });
});
