/**
 * `npm run request -- member|sandbox --body-file <file> [--issue N]`: adds the member or sandbox an
 * issue form asks for to charts/environments/ and prints the pull request to open (for
 * $GITHUB_OUTPUT). Used by .github/workflows/requests.yml; tools/request-cli.ts holds the logic.
 */
import { today } from '../charts/app/sandboxes.ts';
import { runRequest } from '../tools/request-cli.ts';

const result = runRequest(process.argv.slice(2), today());
(result.code === 0 ? process.stdout : process.stderr).write(`${result.output}${result.output.endsWith('\n') ? '' : '\n'}`);
process.exit(result.code);
