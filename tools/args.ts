/** Minimal `--name value` / `--flag` parsing for the scripts; unknown arguments are an error. */
export interface ParsedArgs {
  readonly values: Record<string, string | undefined>;
  readonly flags: Record<string, boolean>;
  readonly positional: string[];
}

export function parseArgs(argv: readonly string[], spec: { values?: readonly string[]; flags?: readonly string[] }): ParsedArgs {
  const values: Record<string, string | undefined> = {};
  const flags: Record<string, boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.values?.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      values[name] = value;
    } else if (spec.flags?.includes(name)) {
      flags[name] = true;
    } else {
      const known = [...(spec.values ?? []).map((v) => `--${v} <value>`), ...(spec.flags ?? []).map((f) => `--${f}`)];
      throw new Error(`unknown argument ${arg} (known: ${known.join(', ') || 'none'})`);
    }
  }
  return { values, flags, positional };
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
