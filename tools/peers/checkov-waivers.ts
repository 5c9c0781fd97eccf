/**
 * THE reviewed list of Checkov findings we accept, each with its reason (`npm run peers`). A finding
 * not listed fails CI until it is fixed or waived here; a waiver that matches nothing fails too.
 * `resource` is matched against Checkov's `Kind.namespace.name`.
 */
import type { CheckovWaiver } from './checkov.ts';

export const CHECKOV_WAIVERS: readonly CheckovWaiver[] = [];
