import type { Manifest } from '../manifest.ts';

/** One finding of the gate, pointing at a file, an object and a field. */
export interface GateIssue {
  readonly rule: string;
  readonly environment: string;
  readonly folder: string;
  readonly file: string;
  /** Construct path (synth) or file path (validate DIR). */
  readonly source: string;
  /** `Kind namespace/name` */
  readonly object: string;
  /** JSON pointer of the field at fault ('' for the whole object). */
  readonly field: string;
  readonly message: string;
}

export interface GateReport {
  readonly errors: GateIssue[];
  /** Rules or checks the gate could not apply, with the reason (never silently passed). */
  readonly skipped: string[];
  readonly checkedByKind: Map<string, number>;
  readonly durationMs: number;
}

/** What a rule sees: every manifest of every environment, and a helper to report. */
export interface RuleContext {
  readonly manifests: readonly Manifest[];
  report(manifest: Manifest, field: string, message: string): void;
  skip(reason: string): void;
}

export interface Rule {
  readonly name: string;
  check(context: RuleContext): void;
}

export function objectLabel(manifest: Manifest): string {
  const { kind, metadata } = manifest.object;
  return `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
}
