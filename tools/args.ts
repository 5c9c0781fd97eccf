import { parseArgs as parseNodeArgs } from 'node:util';

/** `--name value` / `--name=value` / `--flag` parsing for the scripts (node:util parseArgs, strict). */
export interface ParsedArgs {
  readonly values: Record<string, string | undefined>;
  readonly flags: Record<string, boolean>;
  readonly positional: string[];
}

export function parseArgs(argv: readonly string[], spec: { values?: readonly string[]; flags?: readonly string[] }): ParsedArgs {
  const options = Object.fromEntries([...(spec.values ?? []).map((name) => [name, { type: 'string' as const }]), ...(spec.flags ?? []).map((name) => [name, { type: 'boolean' as const }])]);
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const argument = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const known = [...(spec.values ?? []).map((v) => `--${v} <value>`), ...(spec.flags ?? []).map((f) => `--${f}`)];
      throw new Error(`unknown argument ${argument} (known: ${known.join(', ') || 'none'})`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${argument.split(' ')[0]} needs a value`);
    throw error;
  }
  const values: Record<string, string | undefined> = {};
  const flags: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') values[name] = value;
    else if (value === true) flags[name] = true;
  }
  return { values, flags, positional: parsed.positionals };
}

/** parseArgs for a script: a wrong argument prints the problem and the script's usage, exit 2. */
export function cliArgs(argv: readonly string[], spec: { values?: readonly string[]; flags?: readonly string[] }, usage: string): ParsedArgs {
  try {
    return parseArgs(argv, spec);
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
}
