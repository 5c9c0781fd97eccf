/**
 * Walks over the JSON of an object that build a node's JSON pointer only when it is asked for (a
 * finding): most strings and keys never are, and building every pointer was most of a walk's cost.
 * The `pointer` a visit gets reads the walk's current position: call it during the visit, not after.
 */
import { pointerOf } from './structural.ts';

type Path = (string | number)[];

/** Visits every string with its pointer. */
export function forEachString(value: unknown, visit: (text: string, pointer: () => string) => void): void {
  const path: Path = [];
  walkStrings(value, path, visit, () => pointerOf(path));
}

function walkStrings(value: unknown, path: Path, visit: (text: string, pointer: () => string) => void, pointer: () => string): void {
  if (typeof value === 'string') {
    visit(value, pointer);
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      walkStrings(value[index], path, visit, pointer);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    for (const key in value) {
      path.push(key);
      walkStrings((value as Record<string, unknown>)[key], path, visit, pointer);
      path.pop();
    }
  }
}

/**
 * Visits every field named `field` (e.g. `image`), whatever its value, with its pointer and the
 * object holding it; the walk goes on inside the value.
 */
export function forEachField(value: unknown, field: string, visit: (item: unknown, pointer: () => string, holder: Record<string, unknown>) => void): void {
  const path: Path = [];
  walkFields(value, field, path, visit, () => pointerOf(path));
}

/** Visits every string-valued field named `field`, with its pointer and the object holding it. */
export function forEachStringField(value: unknown, field: string, visit: (text: string, pointer: () => string, holder: Record<string, unknown>) => void): void {
  forEachField(value, field, (item, pointer, holder) => {
    if (typeof item === 'string') visit(item, pointer, holder);
  });
}

function walkFields(value: unknown, field: string, path: Path, visit: (item: unknown, pointer: () => string, holder: Record<string, unknown>) => void, pointer: () => string): void {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      walkFields(value[index], field, path, visit, pointer);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      path.push(key);
      if (key === field) visit(item, pointer, record);
      if (item && typeof item === 'object') walkFields(item, field, path, visit, pointer);
      path.pop();
    }
  }
}
