// Types for build.mjs, which stays plain JavaScript so that `npm start` can run it without a loader.
/** Builds the minified bundle; writes docs/playground/playground.js unless `write` is false; returns its bytes. */
export function buildPlayground(options?: { write?: boolean }): Promise<Uint8Array>;
