/**
 * Members and sandboxes as pull requests: the logic behind the "Cluster access" and "Personal
 * sandbox" issue forms. The request workflow (.github/workflows/requests.yml) hands the issue body to
 * `npm run request`, which adds one line to charts/environments/cluster-access.ts or
 * sandbox-users.ts; the workflow then synthesizes and opens the pull request. Every check that synth
 * would make later is made here first, so a bad request is answered on the issue, in one message.
 */
import { MAX_SANDBOX_LIFETIME_DAYS } from '../charts/app/sandboxes.ts';
import { GITHUB_TEAMS, type GitHubTeam, type OmniRole, type SandboxSize } from '../charts/environments/types.ts';
import { addDays, isIsoDate } from '../charts/lib/dates.ts';

export class RequestError extends Error {}

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const IDENTITY = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const SANDBOX_SIZES: readonly SandboxSize[] = ['small', 'medium', 'large'];
/** Roles a request may ask for: Admin is given by hand, by exec. */
const REQUESTABLE_ROLES: readonly OmniRole[] = ['Reader', 'Operator', 'None'];

/**
 * The fields of a GitHub issue-form body: each `### <label>` heading followed by its answer; an empty
 * answer is rendered `_No response_`, checkboxes as `- [X] option` lines.
 */
export function parseIssueForm(body: string): Map<string, string> {
  const fields = new Map<string, string>();
  const sections = body
    .replace(/\r\n/g, '\n')
    .split(/^### +/m)
    .slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const label = (newline < 0 ? section : section.slice(0, newline)).trim();
    const answer = newline < 0 ? '' : section.slice(newline + 1).trim();
    fields.set(label, answer === '_No response_' ? '' : answer);
  }
  return fields;
}

function field(fields: Map<string, string>, label: string): string {
  const value = fields.get(label);
  if (value === undefined) throw new RequestError(`the issue has no "${label}" field; open it with the issue form`);
  return value;
}

/** Checked options of a checkboxes field. */
function checked(answer: string): string[] {
  return [...answer.matchAll(/^- \[[xX]\] +(.+)$/gm)].map((m) => m[1]!.trim());
}

export interface MemberRequest {
  readonly github: string;
  readonly role: OmniRole;
  readonly teams: readonly GitHubTeam[];
  readonly omniIdentity?: string;
}

export interface SandboxRequest {
  readonly github: string;
  readonly size: SandboxSize;
  readonly expires: string;
}

/** The member request of an issue body, checked (every problem in one error). */
export function memberRequest(body: string): MemberRequest {
  const fields = parseIssueForm(body);
  const github = field(fields, 'GitHub login').replace(/^@/, '');
  const role = field(fields, 'Omni role');
  const teams = checked(fields.get('Teams') ?? '');
  const identity = fields.get('Omni identity') ?? '';
  const problems: string[] = [];
  if (!GITHUB_LOGIN.test(github)) problems.push(`GitHub login ${JSON.stringify(github)} is not a GitHub login (letters, digits, single dashes, at most 39 characters)`);
  if (!(REQUESTABLE_ROLES as readonly string[]).includes(role)) problems.push(`Omni role ${JSON.stringify(role)} is not one of ${REQUESTABLE_ROLES.join(', ')} (Admin is given by exec, by hand)`);
  for (const team of teams) if (!(GITHUB_TEAMS as readonly string[]).includes(team)) problems.push(`team ${JSON.stringify(team)} is not one of ${GITHUB_TEAMS.join(', ')}`);
  if (identity !== '' && !IDENTITY.test(identity)) problems.push(`Omni identity ${JSON.stringify(identity)} is not a lower-case e-mail address (the one Omni shows under Users)`);
  if (problems.length > 0) throw new RequestError(problems.join('; '));
  return { github, role: role as OmniRole, teams: teams as GitHubTeam[], ...(identity ? { omniIdentity: identity } : {}) };
}

/** The sandbox request of an issue body, checked against `today` (every problem in one error). */
export function sandboxRequest(body: string, today: string): SandboxRequest {
  const fields = parseIssueForm(body);
  const github = field(fields, 'GitHub login').replace(/^@/, '');
  const size = field(fields, 'Size') || 'small';
  const expires = field(fields, 'Until (YYYY-MM-DD)');
  const latest = addDays(today, MAX_SANDBOX_LIFETIME_DAYS);
  const problems: string[] = [];
  if (!GITHUB_LOGIN.test(github)) problems.push(`GitHub login ${JSON.stringify(github)} is not a GitHub login (letters, digits, single dashes, at most 39 characters)`);
  if (!(SANDBOX_SIZES as readonly string[]).includes(size)) problems.push(`size ${JSON.stringify(size)} is not one of ${SANDBOX_SIZES.join(', ')}`);
  if (!isIsoDate(expires)) problems.push(`expiry ${JSON.stringify(expires)} is not a date written YYYY-MM-DD`);
  else if (expires < today) problems.push(`expiry ${expires} is already past (today is ${today})`);
  else if (expires > latest) problems.push(`expiry ${expires} is more than ${MAX_SANDBOX_LIFETIME_DAYS} days away; ask for ${latest} or earlier and extend it later`);
  if (problems.length > 0) throw new RequestError(problems.join('; '));
  return { github, size: size as SandboxSize, expires };
}

const ENTRY = /^ {2}\{ github: '([^']+)'.*\},$/;

/** The logins listed in a data file (one `{ github: '…', … },` line each). */
export function listedLogins(source: string): string[] {
  return source.split('\n').flatMap((line) => {
    const match = ENTRY.exec(line);
    return match ? [match[1]!] : [];
  });
}

/**
 * Inserts one entry line into the array whose lines are entries, keeping the logins sorted
 * (case-insensitively); refuses a login that is already there.
 */
function insertEntry(source: string, github: string, line: string, file: string): string {
  const lines = source.split('\n');
  const entries = lines.map((text, index) => ({ index, match: ENTRY.exec(text) })).filter((e) => e.match !== null);
  if (entries.length === 0) throw new RequestError(`${file} has no entry lines ("  { github: '…', … },") to add to`);
  const key = github.toLowerCase();
  const existing = entries.find((e) => e.match![1]!.toLowerCase() === key);
  if (existing) throw new RequestError(`${github} is already in ${file} (line ${existing.index + 1}); edit that line instead`);
  const after = entries.find((e) => e.match![1]!.toLowerCase() > key);
  const at = after ? after.index : entries[entries.length - 1]!.index + 1;
  lines.splice(at, 0, line);
  return lines.join('\n');
}

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** charts/environments/cluster-access.ts with the member's line added. */
export function addMember(source: string, request: MemberRequest): string {
  const parts = [`github: ${quote(request.github)}`, `role: ${quote(request.role)}`];
  if (request.teams.length > 0) parts.push(`teams: [${request.teams.map(quote).join(', ')}]`);
  if (request.omniIdentity) parts.push(`omniIdentity: ${quote(request.omniIdentity)}`);
  return insertEntry(source, request.github, `  { ${parts.join(', ')} },`, 'charts/environments/cluster-access.ts');
}

/** charts/environments/sandbox-users.ts with the sandbox's line added; its owner must be a member. */
export function addSandbox(source: string, request: SandboxRequest, members: readonly string[]): string {
  if (!members.some((login) => login.toLowerCase() === request.github.toLowerCase())) {
    throw new RequestError(`${request.github} is not a member (charts/environments/cluster-access.ts); ask for cluster access first with the "Cluster access" form`);
  }
  const line = `  { github: ${quote(request.github)}, size: ${quote(request.size)}, expires: ${quote(request.expires)} },`;
  return insertEntry(source, request.github, line, 'charts/environments/sandbox-users.ts');
}

/** Branch, title and body of the pull request that carries a request. */
export function pullRequestFor(kind: 'member' | 'sandbox', request: MemberRequest | SandboxRequest, issue: number | undefined): { branch: string; title: string; body: string } {
  const login = request.github.toLowerCase();
  const closes = issue === undefined ? '' : `\n\nCloses #${issue}.`;
  if (kind === 'member') {
    const member = request as MemberRequest;
    const teams = member.teams.length > 0 ? ` Add them to the organisation team(s) ${member.teams.join(', ')} on GitHub.` : '';
    const identity = member.omniIdentity ? '' : ' No Omni identity was given: they get no Omni rule until exec adds it (synth warns).';
    return {
      branch: `request/member-${login}`,
      title: `Cluster access: ${member.github} as ${member.role}`,
      body: `Adds ${member.github} to charts/environments/cluster-access.ts with the Omni role ${member.role}; dist/ is synthesized in this pull request.${teams}${identity}\n\nOn merge, the omni workflow applies dist/omni/access-policy.yaml.${closes}`,
    };
  }
  const sandbox = request as SandboxRequest;
  return {
    branch: `request/sandbox-${login}`,
    title: `Sandbox for ${sandbox.github} until ${sandbox.expires}`,
    body: `Adds a ${sandbox.size} sandbox (vcluster sandbox-${login}) for ${sandbox.github} until ${sandbox.expires} to charts/environments/sandbox-users.ts; dist/ is synthesized in this pull request. Synth warns 14 days before the expiry and drops the sandbox after it.${closes}`,
  };
}
