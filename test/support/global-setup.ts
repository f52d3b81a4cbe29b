// Built output the suites serve or read: the reference page (when missing or stale).
import { ensureReference } from "../../docs/build.mjs";

export default function setup(): void {
  ensureReference();
}
