// Prototype keys: `__proto__`, `constructor` and `prototype` are no field of any request, and each
// means something to JavaScript beyond data (see src/json.ts). A body that holds one at any depth is
// refused at the key's path, so that no copy, merge or server ever acts on a request whose fields
// came from a prototype: `{"__proto__": {"image": ..., "prompt": ...}}` once passed for a body with
// an image and a prompt.
import { PROTOTYPE_KEYS } from "../json.js";
import { pointerOf } from "../pointer.js";
import { fieldName, type Rule } from "./shared.js";

/**
 * Calls `found` with the JSON Pointer of every prototype key among the own keys of `value` and its
 * descendants, except inside `skip` (a part already searched). It does not look inside such a key.
 * Pointers are built only for the keys found: a clean body costs no string work.
 */
export function eachPrototypeKey(value: unknown, found: (path: string) => void, path = "", skip?: unknown): void {
  const keys: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v !== "object" || v === null || v === skip) return;
    for (const key of Object.keys(v)) {
      keys.push(key);
      if (PROTOTYPE_KEYS.has(key)) found(path + pointerOf(keys));
      else walk((v as Record<string, unknown>)[key]);
      keys.pop();
    }
  };
  walk(value);
}

export const prototypeKeyRule: Rule = {
  id: "no-prototype-keys",
  severity: "error",
  check({ params, report }) {
    eachPrototypeKey(params, (path) => report(path, prototypeKeyMessage(path)));
  },
};

/** The message for a prototype key at `path`, wherever in a body it was found. */
export function prototypeKeyMessage(path: string): string {
  return `${fieldName(path)} is refused: \`__proto__\`, \`constructor\` and \`prototype\` are no field of any request, and JavaScript reads them as an object's prototype, not as data.`;
}
