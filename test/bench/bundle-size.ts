// A browser bundle as a user's bundler makes it from this package, the way the benches measure it
// and the tree-shaking test inspects it: esbuild, minified, ES2022 for browsers, gzip -9.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const gzipSize = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** Bundles `contents` (a module resolved from the project root): its code, and the modules that put bytes in it. */
export async function browserBundle(contents: string): Promise<{ code: Uint8Array; modules: string[] }> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
  });
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  return { code: result.outputFiles[0]!.contents, modules };
}

/** Bundles `contents` and measures it. */
export async function bundleSize(contents: string): Promise<{ raw: number; gzip: number }> {
  const { code } = await browserBundle(contents);
  return { raw: code.length, gzip: gzipSize(code) };
}
