/**
 * `npm run synth`: renders every environment into dist/ (or $CDK8S_OUTDIR when run by `cdk8s synth`).
 * Exit 1 with one message per problem when the input or the gate is wrong, exit 2 naming where an
 * unexpected exception happened; either way dist/ is untouched (charts/app/run.ts).
 */

// CommonJS once bundled (scripts/run.mjs): no top-level await.
void (async () => {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  let result: { code: number; stdout: string; stderr: string };
  try {
    // Loaded here so that even an exception while loading the environment data or the registry is caught.
    const [{ runSynth }, { ENVIRONMENTS }, { today }, { checkTypes }, { ensureSchemas }] = await Promise.all([
      import('./app/run.ts'),
      import('./environments/index.ts'),
      import('./app/sandboxes.ts'),
      import('./app/type-check.ts'),
      import('../gate/schema-download.ts'),
    ]);
    // A fresh clone has no schemas yet: fetched once from the pinned upstream files, or one clear error.
    const schemasProblem = await ensureSchemas();
    if (schemasProblem) result = { code: 1, stdout: '', stderr: `synth: ${outdir}/ was left as it was; ${schemasProblem}\n` };
    else result = checkTypes() ?? (await runSynth({ environments: ENVIRONMENTS, today: today(), outdir, secretScanCache: '.cache/secret-scan.json' }));
  } catch (error) {
    const { describeError } = await import('./app/run.ts');
    const { ConfigError } = await import('./lib/config-errors.ts');
    const text = error instanceof ConfigError ? error.messages.map((m) => `  ${m}`).join('\n') : `  all environments › loading charts/: unexpected ${describeError(error)}`;
    result = { code: error instanceof ConfigError ? 1 : 2, stdout: '', stderr: `synth failed; ${outdir}/ was left as it was.\n${text}\n` };
  }
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
})();
