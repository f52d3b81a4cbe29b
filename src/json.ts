// JSON values that came from outside - an answer, a callback, a request body - made safe to hand on.
//
// JSON.parse itself interprets nothing: `{"__proto__": {...}}` becomes an own field named
// "__proto__". The harm comes later, from code that copies such a value by assignment
// (`copy[key] = value` makes `__proto__` the copy's prototype, so its fields look like the copy's
// own) or merges it (`constructor.prototype` reaches a class's prototype). So the copies this
// library makes of a foreign value either leave the prototype keys out (the wire reader) or keep
// them as plain fields to report them (request validation), and bound the nesting, so that no
// recursive reader - ours, JSON.stringify, a logger - can overflow the stack on what it gets.
import { pointerOf } from "./pointer.js";

/** Keys with a meaning to JavaScript beyond data. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Deepest nesting kept, in levels below the value itself. The gateway's answers go 5 levels deep
 * (`output[0].content[0].url`); 64 leaves room for any `metadata` while JSON.stringify (which
 * recurses, and overflows at a few thousand levels) stays far from its limit.
 */
export const MAX_DEPTH = 64;

/** Defines `key` on `target` as a plain field: never runs a setter, so `__proto__` stays data. */
export function defineField(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of a JSON-like value without prototype keys at any depth. What lies deeper than
 * `MAX_DEPTH` levels is replaced by what `tooDeep` returns for its JSON Pointer (it is called for
 * each such place): the caller refuses the value, or cuts it there. A cyclic value nests without end,
 * so it is cut too.
 */
export function plainJson(value: unknown, tooDeep: (pointer: string) => unknown): unknown {
  const keys: string[] = [];
  const copy = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null) return v;
    if (keys.length >= MAX_DEPTH) return tooDeep(pointerOf(keys));
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        keys.push(String(i));
        out.push(copy(v[i]));
        keys.pop();
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (PROTOTYPE_KEYS.has(key)) continue;
      keys.push(key);
      out[key] = copy((v as Record<string, unknown>)[key]);
      keys.pop();
    }
    return out;
  };
  return copy(value);
}

/** JSON with sorted keys, so that the same value always gives the same text (and the same hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
