import { Document, stringify } from 'yaml';

/**
 * `yaml`'s `stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false })`
 * for plain JSON data, byte for byte, without building a YAML document: keys sorted at every level,
 * block style, 2-space indent with indented sequences, no line folding.
 *
 * Only the decisions that cannot differ are made here: structure, indentation, and plain scalars
 * that `yaml` itself leaves plain (its own indicator test from `stringify/stringifyString.js`
 * `plainString`, and its own schema tags, yaml 2.9.1). Every other scalar (quoted, multi-line) is
 * rendered by `yaml` and placed; anything unexpected (non-JSON values) renders the whole value with
 * `yaml`. test/lib/yaml-text.test.ts compares both on the whole platform and on awkward inputs.
 */
export function yamlText(value: unknown): string {
  try {
    const lines: string[] = [];
    if (isMap(value)) emitMap(value, '', lines);
    else if (Array.isArray(value)) emitSeq(value, '', lines);
    else throw NOT_PLAIN_DATA;
    return lines.length === 0 ? slow(value) : `${lines.join('\n')}\n`;
  } catch (error) {
    if (error !== NOT_PLAIN_DATA) throw error;
    return slow(value);
  }
}

const OPTIONS = { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false } as const;
const NOT_PLAIN_DATA = new Error('not plain JSON data');
const STEP = '  ';

function slow(value: unknown): string {
  return stringify(value, OPTIONS);
}

// yaml 2.9.1 stringifyString.js plainString: characters and positions that force quoting.
const INDICATORS = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: yaml's own test for characters that force double quotes
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
// The tags of the default (core 1.2) schema that would read a plain scalar as something else.
const OTHER_TAGS = new Document().schema.tags.filter((tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test);

/** Whether `yaml` writes this string plain, as it is. */
function isPlain(text: string): boolean {
  return text !== '' && !text.includes('\n') && !INDICATORS.test(text) && !CONTROL.test(text) && !DOCUMENT_MARKER.test(text) && !OTHER_TAGS.some((tag) => tag.test!.test(text));
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const NO_KEYS: readonly string[] = [];

/** The keys with a value, in yaml's sortMapEntriesByKey order (`<`); most maps here already are. */
function sortedKeys(map: Record<string, unknown>): readonly string[] {
  let keys: string[] | undefined;
  let sorted = true;
  for (const key of Object.keys(map)) {
    if (map[key] === undefined) continue;
    if (keys === undefined) keys = [key];
    else {
      if (sorted && keys[keys.length - 1]! > key) sorted = false;
      keys.push(key);
    }
  }
  if (keys === undefined) return NO_KEYS;
  return sorted ? keys : keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether a map has a key with a value (an empty one is written `{}`). */
function hasEntries(map: Record<string, unknown>): boolean {
  for (const key of Object.keys(map)) if (map[key] !== undefined) return true;
  return false;
}

const KEYS = new Map<string, string>();

function key(text: string): string {
  let known = KEYS.get(text);
  if (known === undefined) {
    known = keyText(text);
    KEYS.set(text, known);
  }
  return known;
}

function keyText(text: string): string {
  if (isPlain(text) && text.length <= 1024) return text;
  const quoted = stringify(text, OPTIONS).slice(0, -1);
  if (quoted.includes('\n') || !(quoted.startsWith('"') || quoted.startsWith("'"))) throw NOT_PLAIN_DATA;
  return quoted;
}

// The same values recur across environments and sandboxes; yaml builds a whole Document per call.
const STRINGS = new Map<string, string>();

/** `value` as yaml renders it as the value of a top-level key (block content indented by one step). */
function stringText(value: string): string {
  let text = STRINGS.get(value);
  if (text === undefined) {
    text = isPlain(value) ? value : stringify({ k: value }, OPTIONS).slice(3, -1);
    STRINGS.set(value, text);
  }
  return text;
}

/**
 * A scalar after `key: ` or `- ` whose block content (if any) is indented by `contentIndent`;
 * undefined for collections.
 */
function scalar(value: unknown, contentIndent: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      return stringify(value, OPTIONS).slice(0, -1);
    case 'string': {
      const text = stringText(value);
      if (!text.includes('\n')) return text;
      if (!text.startsWith('|')) throw NOT_PLAIN_DATA;
      return text
        .split('\n')
        .map((line, index) => (index === 0 || line === '' ? line : line.startsWith(STEP) ? contentIndent + line.slice(STEP.length) : fail()))
        .join('\n');
    }
    case 'object':
      if (isMap(value) || Array.isArray(value)) return undefined;
      throw NOT_PLAIN_DATA;
    default:
      throw NOT_PLAIN_DATA;
  }
}

function fail(): never {
  throw NOT_PLAIN_DATA;
}

function emptyCollection(value: Record<string, unknown> | unknown[]): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  return hasEntries(value) ? undefined : '{}';
}

function emitMap(map: Record<string, unknown>, indent: string, lines: string[], firstPrefix?: string): void {
  let first = true;
  for (const name of sortedKeys(map)) {
    const prefix = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const value = map[name];
    const text = scalar(value, indent + STEP);
    if (text !== undefined) {
      lines.push(`${prefix}${key(name)}: ${text}`);
      continue;
    }
    const collection = value as Record<string, unknown> | unknown[];
    const empty = emptyCollection(collection);
    if (empty !== undefined) {
      lines.push(`${prefix}${key(name)}: ${empty}`);
      continue;
    }
    lines.push(`${prefix}${key(name)}:`);
    if (Array.isArray(collection)) emitSeq(collection, indent + STEP, lines);
    else emitMap(collection, indent + STEP, lines);
  }
}

function emitSeq(items: readonly unknown[], indent: string, lines: string[], firstPrefix?: string): void {
  items.forEach((item, index) => {
    const prefix = `${index === 0 && firstPrefix !== undefined ? firstPrefix : indent}- `;
    if (item === undefined) throw NOT_PLAIN_DATA;
    const text = scalar(item, indent + STEP);
    if (text !== undefined) {
      lines.push(`${prefix}${text}`);
      return;
    }
    const collection = item as Record<string, unknown> | unknown[];
    const empty = emptyCollection(collection);
    if (empty !== undefined) {
      lines.push(`${prefix}${empty}`);
      return;
    }
    if (Array.isArray(collection)) emitSeq(collection, indent + STEP, lines, prefix);
    else emitMap(collection, indent + STEP, lines, prefix);
  });
}
