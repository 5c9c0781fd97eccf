import type { Manifest } from '../charts/lib/manifest.ts';
import type { GateFacts } from './facts.ts';

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

/**
 * A known gap accepted for now: errors of `rule` whose message matches are reported as waived (with
 * the reason and the issue that closes the gap) instead of failing. A waiver that matches nothing is
 * itself an error, so waivers disappear as soon as the gap is closed.
 */
export interface GateWaiver {
  readonly rule: string;
  readonly message: RegExp;
  /** Why this is accepted, and what removes it. */
  readonly reason: string;
  /** The open issue that closes the gap; absent for a declared, permanent gap (e.g. a kind without a pinned schema). */
  readonly issue?: number;
}

export interface GateReport {
  readonly errors: GateIssue[];
  /** Errors matched by a waiver, with it. */
  readonly waived: { readonly issue: GateIssue; readonly waiver: GateWaiver }[];
  /**
   * Checks the gate could not apply, with the reason and how many times (never silently passed),
   * e.g. `cel: HTTPRoute /spec: transition rule (oldSelf) … (×4)`.
   */
  readonly skipped: string[];
  /** Counters of what was checked (e.g. `cel: rules evaluated`). */
  readonly counts: Map<string, number>;
  readonly checkedByKind: Map<string, number>;
  readonly durationMs: number;
}

/** What a rule sees: every manifest of every environment, the facts, and helpers to report. */
export interface RuleContext {
  readonly manifests: readonly Manifest[];
  readonly facts: GateFacts;
  /** An error at `field` (JSON pointer) of `manifest`; `rule` overrides the rule name in the report. */
  report(manifest: Manifest, field: string, message: string, rule?: string): void;
  /** Something not checked, with why (counted, listed in the summary). */
  skip(reason: string, rule?: string): void;
  /** Counts something checked (summary). */
  count(label: string, by?: number): void;
}

/**
 * A check of the gate: over the whole tree (`check`), or one object at a time (`forEach`: given the
 * context, a function runGate calls for every manifest in order, along with every other rule's, so
 * an object is read once while it is in the cache; reading the whole tree again for each rule was
 * most of what the small rules cost at 1,000 sandboxes). Either way a rule's findings keep its order.
 */
export type Rule = { readonly name: string } & ({ check(context: RuleContext): void; readonly forEach?: undefined } | { forEach(context: RuleContext): (manifest: Manifest) => void; readonly check?: undefined });

export function objectLabel(manifest: Manifest): string {
  const { kind, metadata } = manifest.object;
  return `${kind} ${metadata?.namespace ? `${metadata.namespace}/` : ''}${metadata?.name}`;
}
