/**
 * `npm run tools:build [TOOL…]`: builds the test-infrastructure binaries (tools/go-binaries.ts) from
 * their pinned Go modules into .cache/bin, once; a cached build is reused. Exit 2 with one message
 * when Go is missing or a build fails.
 */
import { GO_TOOLS, GoToolError, ensureGoBinary } from '../tools/go-binaries.ts';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in GO_TOOLS));
if (unknown.length > 0) {
  console.error(`tools:build: unknown tool(s) ${unknown.join(', ')} (known: ${Object.keys(GO_TOOLS).join(', ') || 'none'})`);
  process.exit(2);
}
try {
  for (const name of wanted.length > 0 ? wanted : Object.keys(GO_TOOLS)) {
    const path = ensureGoBinary(GO_TOOLS[name]!, process.env, (line) => console.log(line));
    console.log(`${name}: ${path}`);
  }
} catch (error) {
  if (!(error instanceof GoToolError)) throw error;
  console.error(`tools:build: ${error.message}`);
  process.exit(2);
}
