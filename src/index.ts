// kirin-api: the public surface. Names are stable; see ARCHITECTURE.md "Public surface".
export type * from "./types.js";
