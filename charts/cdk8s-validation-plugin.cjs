/**
 * cdk8s validation plugin: `cdk8s synth` runs the platform's validation gate on what it synthesized.
 * Declared in cdk8s.yaml (`validations:`, a local package path). The cdk8s CLI `require`s this file
 * (CommonJS) and passes the synthesized manifest files; the gate itself is TypeScript (ESM), so it runs
 * as `node scripts/run.mjs scripts/validate.ts <dir> --json` on the folder holding them, and every error
 * becomes a violation naming the file, object and field.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { dirname, join, resolve, sep } = require('node:path');

const REPO_ROOT = join(__dirname, '..');

/** The folder holding every manifest (the synth output): their deepest common directory. */
function treeRoot(manifests) {
  const split = manifests.map((file) => resolve(dirname(file)).split(sep));
  const common = [];
  for (let i = 0; i < split[0].length && split.every((parts) => parts[i] === split[0][i]); i++) common.push(split[0][i]);
  // `<dir>/<env>/<folder>/<file>`: when everything is in one folder, step up to the tree root.
  const depth = Math.max(...manifests.map((file) => resolve(file).split(sep).length - common.length));
  return common.slice(0, common.length - Math.max(0, 3 - depth)).join(sep) || sep;
}

class PlatformGate {
  constructor(properties = {}) {
    this.properties = properties;
  }

  async validate(context) {
    const manifests = context.manifests.filter((file) => /\.ya?ml$/.test(file));
    if (manifests.length === 0) {
      context.report.submit('failure', { reason: 'no manifests were synthesized' });
      return;
    }
    const dir = treeRoot(manifests);
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'run.mjs'), join(REPO_ROOT, 'scripts', 'validate.ts'), dir, '--json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    let result;
    try {
      result = JSON.parse(run.stdout);
    } catch {
      context.logger.log(run.stderr);
      context.report.submit('failure', { reason: `the gate did not run (exit ${run.status})` });
      return;
    }
    const byRule = new Map();
    for (const error of result.errors) {
      const list = byRule.get(error.rule) ?? [];
      list.push(error);
      byRule.set(error.rule, list);
    }
    for (const [rule, errors] of byRule) {
      context.report.addViolation({
        ruleName: rule,
        recommendation: errors.map((e) => `${e.object}${e.field ? ` at ${e.field}` : ''}: ${e.message}`).join('\n'),
        fix: 'see docs/validation.md; run `npm run validate` for the full report',
        violatingResources: errors.map((e) => ({
          resourceName: e.object,
          locations: [e.field || '/'],
          manifestPath: join(dir, e.file.split('/').join(sep)),
        })),
      });
    }
    context.report.submit(result.errors.length === 0 ? 'success' : 'failure', {
      objects: String(result.objects),
      environments: result.environments.join(', '),
      skipped: String(result.skipped.length),
      ms: String(Math.round(result.ms)),
    });
  }
}

module.exports = { PlatformGate };
