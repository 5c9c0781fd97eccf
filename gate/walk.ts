/**
 * Walks over the JSON of an object that build a node's JSON pointer only when it is asked for (a
 * finding): most strings and keys never are, and building every pointer was most of a walk's cost.
 */
import { pointerToken } from './structural.ts';

type Path = (string | number)[];

/** RFC 6901 pointer of a path. */
export function pointerOf(path: readonly (string | number)[]): string {
  let pointer = '';
  for (const key of path) pointer += `/${pointerToken(key)}`;
  return pointer;
}

/** Visits every string with its pointer. */
export function forEachString(value: unknown, visit: (text: string, pointer: () => string) => void): void {
  walkStrings(value, [], visit);
}

function walkStrings(value: unknown, path: Path, visit: (text: string, pointer: () => string) => void): void {
  if (typeof value === 'string') {
    const at = [...path];
    visit(value, () => pointerOf(at));
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      walkStrings(value[index], path, visit);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    for (const key in value) {
      path.push(key);
      walkStrings((value as Record<string, unknown>)[key], path, visit);
      path.pop();
    }
  }
}

/** Visits every string-valued field named `field` (e.g. `image`), with its pointer and the object holding it. */
export function forEachStringField(value: unknown, field: string, visit: (text: string, pointer: () => string, holder: Record<string, unknown>) => void): void {
  walkFields(value, field, [], visit);
}

function walkFields(value: unknown, field: string, path: Path, visit: (text: string, pointer: () => string, holder: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      walkFields(value[index], field, path, visit);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      path.push(key);
      if (key === field && typeof item === 'string') {
        const at = [...path];
        visit(item, () => pointerOf(at), record);
      } else walkFields(item, field, path, visit);
      path.pop();
    }
  }
}
