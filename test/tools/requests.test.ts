import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../gate/schemas-location.ts';
import { runRequest } from '../../tools/request-cli.ts';
import { RequestError, addMember, memberRequest, parseIssueForm, sandboxRequest } from '../../tools/requests.ts';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'requests');
const TODAY = '2026-11-24';

/** A repository root holding the fixture data files, as the workflow's checkout would. */
function fixtureRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'request-'));
  mkdirSync(join(root, 'charts', 'environments'), { recursive: true });
  for (const file of ['cluster-access.ts', 'sandbox-users.ts']) copyFileSync(join(FIXTURES, file), join(root, 'charts', 'environments', file));
  return root;
}

const issue = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([label, value]) => `### ${label}\n\n${value}\n`)
    .join('\n');

describe('issue forms', () => {
  it('reads the fields of an issue-form body, empty answers as ""', () => {
    const fields = parseIssueForm(readFileSync(join(FIXTURES, 'member-issue.md'), 'utf8'));
    expect([...fields.entries()]).toEqual([
      ['GitHub login', '@Octo-Cat'],
      ['Omni role', 'Operator'],
      ['Teams', '- [ ] exec\n- [X] sre'],
      ['Omni identity', ''],
    ]);
  });

  it('refuses a bad member request with every problem at once', () => {
    const body = issue({ 'GitHub login': 'not a login', 'Omni role': 'Admin', Teams: '- [X] devops', 'Omni identity': 'Alice at home' });
    expect(() => memberRequest(body)).toThrow(
      new RequestError(
        'GitHub login "not a login" is not a GitHub login (letters, digits, single dashes, at most 39 characters); Omni role "Admin" is not one of Reader, Operator, None (Admin is given by exec, by hand); team "devops" is not one of exec, sre; Omni identity "Alice at home" is not a lower-case e-mail address (the one Omni shows under Users)',
      ),
    );
  });

  it('refuses a sandbox without a date, past, or beyond the maximum lifetime', () => {
    const body = (until: string) => issue({ 'GitHub login': 'bob', Size: 'small', 'Until (YYYY-MM-DD)': until });
    expect(() => sandboxRequest(body('_No response_'), TODAY)).toThrow('expiry "" is not a date written YYYY-MM-DD');
    expect(() => sandboxRequest(body('2026-11-23'), TODAY)).toThrow('expiry 2026-11-23 is already past (today is 2026-11-24)');
    expect(() => sandboxRequest(body('2027-05-24'), TODAY)).toThrow('expiry 2027-05-24 is more than 180 days away; ask for 2027-05-23 or earlier and extend it later');
    expect(sandboxRequest(body('2027-05-23'), TODAY)).toEqual({ github: 'bob', size: 'small', expires: '2027-05-23' });
  });

  it('refuses a login already listed, case-insensitively', () => {
    const source = readFileSync(join(FIXTURES, 'cluster-access.ts'), 'utf8');
    expect(() => addMember(source, { github: 'BOB', role: 'Reader', teams: [] })).toThrow('BOB is already in charts/environments/cluster-access.ts (line 7); edit that line instead');
  });
});

describe('npm run request (against the fixture repository)', () => {
  it('adds a member in login order and answers with the pull request to open', async () => {
    const root = fixtureRoot();
    const result = runRequest(['member', '--body-file', join(FIXTURES, 'member-issue.md'), '--issue', '42', '--root', root], TODAY);
    expect(result.code).toBe(0);
    expect(result.output).toBe(
      [
        'branch=request/member-octo-cat',
        'title=Cluster access: Octo-Cat as Operator',
        'body<<END_OF_BODY',
        'Adds Octo-Cat to charts/environments/cluster-access.ts with the Omni role Operator; dist/ is synthesized in this pull request. Add them to the organisation team(s) sre on GitHub. No Omni identity was given: they get no Omni rule until exec adds it (synth warns).\n\nOn merge, the omni workflow applies dist/omni/access-policy.yaml.\n\nCloses #42.',
        'END_OF_BODY',
        '',
      ].join('\n'),
    );
    const file = join(root, 'charts', 'environments', 'cluster-access.ts');
    // The edited file is still the module synth imports, with the new line in order.
    const { CLUSTER_MEMBERS } = await import(pathToFileURL(file).href);
    expect(CLUSTER_MEMBERS).toEqual([
      { github: 'alice', role: 'Reader' },
      { github: 'bob', role: 'Operator', teams: ['sre'] },
      { github: 'Octo-Cat', role: 'Operator', teams: ['sre'] },
      { github: 'Zed', role: 'None' },
    ]);
  });

  it('adds a sandbox for a member, and refuses one for a stranger', async () => {
    const root = fixtureRoot();
    const result = runRequest(['sandbox', '--body-file', join(FIXTURES, 'sandbox-issue.md'), '--root', root], TODAY);
    expect(result.code).toBe(0);
    expect(result.output.split('\n').slice(0, 2)).toEqual(['branch=request/sandbox-bob', 'title=Sandbox for bob until 2027-01-15']);
    const { SANDBOX_USERS } = await import(pathToFileURL(join(root, 'charts', 'environments', 'sandbox-users.ts')).href);
    expect(SANDBOX_USERS).toEqual([
      { github: 'alice', size: 'small', expires: '2026-12-31' },
      { github: 'bob', size: 'medium', expires: '2027-01-15' },
    ]);

    const stranger = join(mkdtempSync(join(tmpdir(), 'request-body-')), 'issue.md');
    writeFileSync(stranger, issue({ 'GitHub login': 'mallory', Size: 'small', 'Until (YYYY-MM-DD)': '2027-01-15' }));
    expect(runRequest(['sandbox', '--body-file', stranger, '--root', fixtureRoot()], TODAY)).toEqual({
      code: 1,
      output: 'request refused: mallory is not a member (charts/environments/cluster-access.ts); ask for cluster access first with the "Cluster access" form',
    });
  });

  it('refuses unknown arguments with the usage (exit 2)', () => {
    expect(runRequest(['admin', '--body-file', 'x'], TODAY).code).toBe(2);
    expect(runRequest(['member', '--bogus'], TODAY).output).toMatch(/^unknown argument --bogus/);
  });

  it('works on the real data files: they keep the one-line-per-entry layout the workflow edits', () => {
    const members = readFileSync(join(REPO_ROOT, 'charts', 'environments', 'cluster-access.ts'), 'utf8');
    const added = addMember(members, { github: 'new-member', role: 'Reader', teams: [] });
    expect(added.split('\n').length).toBe(members.split('\n').length + 1);
    expect(added).toContain("  { github: 'new-member', role: 'Reader' },");
  });
});
