/** RFC 1123 label: what Kubernetes accepts for namespaces, services and most names we derive. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1035 label: Service names (must start with a letter). */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain: object names in general. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A DNS domain with at least two labels (e.g. `omni.cedille.club`). */
export const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

export function isDomain(value: string): boolean {
  return DOMAIN.test(value);
}

/**
 * Turns free text (a disk id, a node name) into a DNS label: lower case, runs of other characters
 * become one dash, trimmed to `max` characters without a trailing dash.
 */
export function toDnsLabel(text: string, max = 63): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  if (!label) throw new Error(`cannot derive a DNS label from ${JSON.stringify(text)}`);
  return label;
}
