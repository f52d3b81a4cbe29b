// Browser bundle size as the benches report it: esbuild, minified, ES2022 for browsers, gzip -9.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const gzipSize = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** Bundles `contents` (a module resolved from the project root) and measures it. */
export async function bundleSize(contents: string): Promise<{ raw: number; gzip: number }> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
  });
  const code = result.outputFiles[0]!.contents;
  return { raw: code.length, gzip: gzipSize(code) };
}
