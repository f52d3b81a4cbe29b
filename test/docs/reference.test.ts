// The published reference: one self-contained page that loads nothing from the network and
// shows every operation, parameter and rule of the contract.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// Built by the suite's global setup (docs/build.mjs) when missing or stale.
const PAGE = "docs/reference.html";
const SPEC = "generated/openapi.json";
const html = readFileSync(PAGE, "utf8");

/** Every URL the page would fetch by itself: scripts, styles, fonts, images, frames. */
export function externalResources(page: string): string[] {
  const found: string[] = [];
  const patterns = [
    /<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi,
    /<link\b[^>]*\bhref\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi,
    /url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi,
    /@import\s+["']((?:https?:)?\/\/[^"']+)/gi,
    // Addresses a script fetches by itself: CDNs and telemetry, wherever they stand in the code
    // (example.com hosts are the contract's sample data, never fetched).
    /["'`]((?:https?:)?\/\/(?:cdn|otel|telemetry|fonts)\.(?!example\.com)[^"'`\s]+)/gi,
  ];
  for (const re of patterns) for (const m of page.matchAll(re)) found.push(m[1]!);
  return found;
}

describe("docs/reference.html", () => {
  it("loads nothing from the network", () => {
    expect(html.length).toBeGreaterThan(100_000);
    expect(externalResources(html)).toEqual([]);
  });

  it("the scan would catch an external script, stylesheet, font or image", () => {
    const bad = `<script src="https://cdn.example.com/r.js"></script><link rel="stylesheet" href="//fonts.example.com/f.css">
      <img src="http://x.test/a.png"><style>@font-face{src:url(https://x.test/f.woff2)}</style>
      <script>const logo = \`https://cdn.jsdelivr.net/logo.svg\`;</script>`;
    expect(externalResources(bad)).toHaveLength(5);
  });

  it("shows every operation, schema, example, parameter and rule id", () => {
    const spec = JSON.parse(readFileSync(SPEC, "utf8"));
    const schemas = spec.components.schemas;
    const words = [
      "createTask",
      "getTask",
      "taskStatusChanged",
      ...Object.keys(schemas),
      ...Object.values(spec.components.examples).map((e: any) => e.summary),
      ...Object.keys(schemas.KirinV3I2VParams.allOf[0].properties),
      ...Object.keys(schemas.KirinV3OmniVideoParams.allOf[0].properties),
      ...[...readFileSync(SPEC, "utf8").matchAll(/"x-kirin-rule": "([^"]+)"/g)].map((m) => m[1]!),
      ...schemas.KirinV3I2VParams["x-kirin-rules"].map((r: { id: string }) => r.id),
      ...schemas.KirinV3OmniVideoParams["x-kirin-rules"].map((r: { id: string }) => r.id),
      "006001094",
      "006001095",
      "006001099",
    ];
    for (const word of words) expect(html, word).toContain(word);
  });
});
