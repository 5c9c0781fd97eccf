/**
 * Secret detection with secretlint (https://github.com/secretlint/secretlint), in-process: its
 * maintained `preset-recommend` rule set (AWS, GCP, GitHub, Slack, npm, private keys, basic auth
 * and database connection strings in URLs, …) plus its `pattern` rule with the credential-shaped
 * keys our manifests could carry (a literal value under `password:`, `clientSecret:`, an env var
 * named `*_PASSWORD`). Findings name the file and the YAML field; false positives are waived in
 * one reviewed file (charts/app/secret-waivers.ts) with a reason each. See
 * docs/decisions/0903-secret-scanning.md.
 */
import type { SecretLintCoreConfig } from '@secretlint/types';
import { createHash } from 'node:crypto';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { readCacheFile, writeCacheFile } from '../charts/lib/cache-file.ts';
import { pointerToken } from './structural.ts';

export interface SecretFinding {
  /** Path of the file as the user knows it (`dist/prod/argocd/configmap-x.yaml`, `.cache/rendered/…`, a repository path). */
  readonly file: string;
  /** The YAML field holding the match (`/data/DB_PASSWORD`), or `line N` outside YAML. */
  readonly field: string;
  /** The secretlint rule (`@secretlint/secretlint-rule-aws`, `@secretlint/secretlint-rule-pattern`). */
  readonly rule: string;
  /** secretlint's own message (the value masked). */
  readonly message: string;
}

export interface SecretWaiver {
  /** The file, exactly as findings name it. */
  readonly file: string;
  /** The field; omitted: every finding of the file (test fixtures made of fake secrets). */
  readonly field?: string;
  /** The rule; omitted: any rule. */
  readonly rule?: string;
  /** Why this is not a secret (reviewed in the pull request that adds it). */
  readonly reason: string;
}

/** Keys whose literal value is a credential (the recommended preset covers token formats, not key names). */
const CREDENTIAL_PATTERNS = [
  // `password: hunter2`, `clientSecret: "…"`, `DB_PASSWORD=…`: a key that names a credential (not
  // `secretName`, `passwordKey`, `existingSecret`: those name where one lives) with a literal value
  // (not a reference: `$…`, `{{ … }}`, `<…>`).
  String.raw`/(?<![\w.-])(?:[\w-]*[_-])?(?:password|passwd|client[_-]?secret|secret[_-]?access[_-]?key|api[_-]?key|auth[_-]?token|access[_-]?token|bearer[_-]?token|secret|token)["']?[ \t]*[:=][ \t]*["']?(?<value>(?![$<{"'\s]|true\b|false\b|null\b)[^\s"',}]{6,})/i`,
  // An env var: `- name: DB_PASSWORD` followed by a literal `value:`.
  String.raw`/name:\s*["']?[\w.-]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY)[\w.-]*["']?\s*\n\s*value:\s*["']?(?<value>[^\s"']{4,})/i`,
];

const MANIFEST_GLOBS = ['**/*.yaml', '**/*.yml', '**/*.json', '**/*.YAML', '**/*.YML', '**/*.JSON'];

/** secretlint and its rules, loaded on the first cache miss only (a warm synth never pays for them). */
async function secretlint() {
  const [{ lintSource }, { creator: recommended }, { creator: pattern }] = await Promise.all([
    import('@secretlint/core'),
    import('@secretlint/secretlint-rule-preset-recommend'),
    import('@secretlint/secretlint-rule-pattern'),
  ]);
  const config: SecretLintCoreConfig = {
    rules: [
      { id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended },
      // Key names are credentials in manifests; in source code they are just names.
      { id: '@secretlint/secretlint-rule-pattern', rule: pattern, options: { patterns: [{ name: 'credential in a manifest', patterns: CREDENTIAL_PATTERNS, filePathGlobs: MANIFEST_GLOBS }] } },
    ],
  };
  return (file: string, content: string) => lintSource({ source: { content, filePath: file, contentType: 'text' }, options: { config, maskSecrets: false, noPhysicFilePath: true } });
}

/** What secretlint reported for one file content (cached by the content's hash). */
interface RawMatch {
  readonly rule: string;
  readonly messageId: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  /** Where it is (`fieldAt`), kept with the match so a warm scan parses no YAML. */
  readonly field: string;
}

/** Changes whenever the rules do, so a cache never outlives them. */
const RULES_KEY = createHash('sha256')
  .update(JSON.stringify({ CREDENTIAL_PATTERNS, MANIFEST_GLOBS, secretlint: '11.7.1', cacheFormat: 2 }))
  .digest('hex')
  .slice(0, 16);

/**
 * Scans text files (path → content); returns the findings, without waivers applied. With
 * `cacheFile`, results are cached by content hash (a warm synth rescans nothing: secretlint costs
 * ≈ 1 s over the whole tree on the dev machine).
 */
export async function scanForSecrets(files: ReadonlyMap<string, string>, options: { cacheFile?: string } = {}): Promise<SecretFinding[]> {
  const cache = (options.cacheFile ? readCacheFile<Record<string, RawMatch[]>>(options.cacheFile) : undefined) ?? {};
  const next: Record<string, RawMatch[]> = {};
  const findings: SecretFinding[] = [];
  let lint: Awaited<ReturnType<typeof secretlint>> | undefined;
  await Promise.all(
    [...files].map(async ([file, content]) => {
      const key = createHash('sha256').update(RULES_KEY).update(file).update('\0').update(content).digest('hex');
      let matches = cache[key];
      if (!matches) {
        lint ??= await secretlint();
        const result = await lint(file, content);
        matches = result.messages.map((m) => ({ rule: m.ruleId, messageId: m.messageId, start: m.range[0], end: m.range[1], line: m.loc.start.line, field: fieldAt(file, content, m.range[0], m.loc.start.line) }));
      }
      next[key] = matches;
      for (const m of matches) {
        findings.push({ file, field: m.field, rule: m.rule, message: `${m.messageId} ${mask(content.slice(m.start, m.end))}` });
      }
    }),
  );
  if (options.cacheFile) writeCacheFile(options.cacheFile, JSON.stringify(next));
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/** The match with all but its first 4 characters hidden: enough to find it, not enough to use it. */
function mask(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(`${oneLine.slice(0, 4)}${'*'.repeat(Math.min(12, Math.max(0, oneLine.length - 4)))}`);
}

/** Applies the waivers; an unused waiver is itself an error (it must be removed). */
export function applySecretWaivers(findings: readonly SecretFinding[], waivers: readonly SecretWaiver[], waiverFile: string): { errors: string[]; waived: SecretFinding[] } {
  const used = new Set<SecretWaiver>();
  const errors: string[] = [];
  const waived: SecretFinding[] = [];
  for (const finding of findings) {
    const waiver = waivers.find((w) => w.file === finding.file && (w.field === undefined || w.field === finding.field) && (w.rule === undefined || w.rule === finding.rule));
    if (waiver) {
      used.add(waiver);
      waived.push(finding);
    } else errors.push(formatSecretFinding(finding, waiverFile));
  }
  for (const waiver of waivers) {
    if (!used.has(waiver)) errors.push(`all environments › ${waiverFile}: the waiver of ${waiver.rule ?? 'any rule'} at ${waiver.file} ${waiver.field ?? '(whole file)'} matches no finding; remove it`);
  }
  return { errors, waived };
}

/** `prod › dist/prod/x/configmap-a.yaml /data/DB_PASSWORD: secretlint (…pattern) found … ; fix` */
export function formatSecretFinding(finding: SecretFinding, waiverFile: string): string {
  const environment = /^(?:dist\/)?(prod|staging|sandbox)\//.exec(finding.file)?.[1] ?? 'all environments';
  return `${environment} › ${finding.file}: ${finding.field} holds a secret (${finding.rule.replace('@secretlint/secretlint-rule-', 'secretlint ')}: ${finding.message}); deliver it from Vault with an ExternalSecret and reference it (secretKeyRef), or waive a false positive in ${waiverFile} with the reason`;
}

/** The YAML pointer (`/data/key`) of the deepest node containing `offset`, else `line N`. */
export function fieldAt(file: string, content: string, offset: number, line: number): string {
  if (!/\.ya?ml$/i.test(file)) return `line ${line}`;
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(content);
  } catch {
    return `line ${line}`;
  }
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const found = pointerTo(document.contents, offset, '');
    if (found !== undefined) return found || '/';
  }
  return `line ${line}`;
}

function pointerTo(node: Node | null | undefined, offset: number, path: string): string | undefined {
  if (!node?.range || offset < node.range[0] || offset > node.range[2]) return undefined;
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : '?';
      const here = `${path}/${pointerToken(key)}`;
      const keyNode = item.key as Node | null;
      if (keyNode?.range && offset >= keyNode.range[0] && offset <= keyNode.range[2]) return here;
      const inner = pointerTo(item.value as Node | null, offset, here);
      if (inner !== undefined) return inner;
    }
    return path;
  }
  if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const inner = pointerTo(item as Node | null, offset, `${path}/${index}`);
      if (inner !== undefined) return inner;
    }
    return path;
  }
  return path;
}
