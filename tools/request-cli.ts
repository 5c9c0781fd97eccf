import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../gate/schemas-location.ts';
import { parseArgs } from './args.ts';
import { RequestError, addMember, addSandbox, listedLogins, memberRequest, pullRequestFor, sandboxRequest } from './requests.ts';

export const REQUEST_USAGE = 'npm run request -- member|sandbox --body-file <issue body> [--issue <number>] [--today YYYY-MM-DD] [--root <repository>]';

export interface RequestResult {
  readonly code: number;
  /** `key=value` lines for $GITHUB_OUTPUT (branch, title, body as a heredoc), or the problem. */
  readonly output: string;
}

/**
 * `npm run request`: applies one issue-form request to the data files of the repository at `root`
 * and answers with the pull request to open. Exit 1 with one message on a bad request (the workflow
 * posts it on the issue), 2 on bad arguments.
 */
export function runRequest(argv: readonly string[], today: string): RequestResult {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, { values: ['body-file', 'issue', 'today', 'root'] });
  } catch (error) {
    return { code: 2, output: `${(error as Error).message}\nusage: ${REQUEST_USAGE}` };
  }
  const kind = args.positional[0];
  const bodyFile = args.values['body-file'];
  if ((kind !== 'member' && kind !== 'sandbox') || args.positional.length !== 1 || bodyFile === undefined) {
    return { code: 2, output: `usage: ${REQUEST_USAGE}` };
  }
  const root = args.values.root ?? REPO_ROOT;
  const issue = args.values.issue === undefined ? undefined : Number.parseInt(args.values.issue, 10);
  const date = args.values.today ?? today;
  const membersFile = join(root, 'charts', 'environments', 'cluster-access.ts');
  const sandboxesFile = join(root, 'charts', 'environments', 'sandbox-users.ts');
  try {
    const body = readFileSync(bodyFile, 'utf8');
    const members = readFileSync(membersFile, 'utf8');
    let request: ReturnType<typeof memberRequest> | ReturnType<typeof sandboxRequest>;
    if (kind === 'member') {
      request = memberRequest(body);
      writeFileSync(membersFile, addMember(members, request));
    } else {
      request = sandboxRequest(body, date);
      writeFileSync(sandboxesFile, addSandbox(readFileSync(sandboxesFile, 'utf8'), request, listedLogins(members)));
    }
    const pr = pullRequestFor(kind, request, issue);
    return { code: 0, output: [`branch=${pr.branch}`, `title=${pr.title}`, 'body<<END_OF_BODY', pr.body, 'END_OF_BODY', ''].join('\n') };
  } catch (error) {
    if (error instanceof RequestError) return { code: 1, output: `request refused: ${error.message}` };
    throw error;
  }
}
