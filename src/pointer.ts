// JSON Pointers (RFC 6901): how a validation issue names the place in a body it is about
// (`/multi_prompt/2/duration`). Every pointer built from keys that came from outside, and every
// pointer read back into keys, goes through here, so the escaping lives in one place: inside a
// segment `~` is written `~0` and `/` is written `~1`. Pointers made only of the contract's own
// field names and of indexes need no escaping and are written as literals.

/** A key as a pointer segment: "a/b" -> "a~1b", "a~b" -> "a~0b"; most keys come back as they are. */
export function encodeSegment(key: string | number): string {
  const text = String(key);
  return /[~/]/.test(text) ? text.replace(/~/g, "~0").replace(/\//g, "~1") : text;
}

/** A segment as the key it names: "a~1b" -> "a/b". `~1` is read before `~0`, so "~01" is "~1". */
export function decodeSegment(segment: string): string {
  return segment.includes("~") ? segment.replace(/~1/g, "/").replace(/~0/g, "~") : segment;
}

/** The pointer to the place the keys lead to: `["a/b", 0]` -> "/a~1b/0", `[]` -> "" (the whole value). */
export function pointerOf(keys: readonly (string | number)[]): string {
  let pointer = "";
  for (const key of keys) pointer += `/${encodeSegment(key)}`;
  return pointer;
}

/** `pointer` one level deeper, at `key`. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${encodeSegment(key)}`;
}

/** The keys a pointer names: "/a~1b/0" -> ["a/b", "0"], "" -> []. */
export function keysOf(pointer: string): string[] {
  return pointer === "" ? [] : pointer.split("/").slice(1).map(decodeSegment);
}

/**
 * The value at `pointer` inside `value`, or undefined when there is none. Only own fields are
 * followed: "/constructor" of a plain object is undefined, not the Object function.
 */
export function valueAt(value: unknown, pointer: string): unknown {
  let v = value;
  for (const key of keysOf(pointer)) {
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
