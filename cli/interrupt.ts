// Ctrl-C: the first one asks the running command to stop cleanly (requests are aborted, the
// journal and files stay consistent, and the command says how to resume); a second one ends the
// process at once. SIGTERM is treated like the first Ctrl-C.

/** Aborts `controller` on SIGINT/SIGTERM; returns a function that removes the handlers. */
export function stopOnInterrupt(controller: AbortController, onFirst?: () => void): () => void {
  let count = 0;
  const handler = () => {
    if (++count > 1) process.exit(130);
    onFirst?.();
    controller.abort(new DOMException("Interrupted", "AbortError"));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
