// `npm run site`: writes site/, the docs as a folder for any static host (not committed):
//   index.html           docs/README.md, the table of contents
//   *.html               every guide in docs/*.md, rendered with marked, links between them kept
//   reference.html       the Redoc reference (self-contained)
//   playground/          the playground, answered in the browser by the mock core on MSW's worker
//   mockServiceWorker.js msw's worker script, at the root so its scope covers every page
//   openapi.json, assets/, favicon.svg
// Every URL in it is relative, so it works under any path prefix, and nothing loads from the network.
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { Marked } from "marked";
import { scenariosOf } from "../../mock/scenario-list.mjs";
import { ensureReference } from "../build.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const root = here("../../");
const out = `${root}site/`;
/** Where `npm start` serves the docs, as the guides name it; in the site, the same pages by relative URL. */
const MOCK_PAGES = [
  [/http:\/\/127\.0\.0\.1:4010\/docs\b/g, "reference.html"],
  [/http:\/\/127\.0\.0\.1:4010\/playground\b/g, "playground/"],
];

/** A GitHub-style heading id, so that `page.html#some-heading` links work. */
const slug = (text) =>
  text
    .toLowerCase()
    .replace(/<[^>]+>/g, "")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-");

function renderer() {
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading({ tokens, depth, text }) {
        return `<h${depth} id="${slug(text)}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
      link({ href, title, tokens }) {
        let target = href;
        for (const [pattern, local] of MOCK_PAGES) target = target.replace(pattern, local);
        // A guide's link to another guide: the same page in HTML. README.md is the index.
        target = target.replace(
          /^(?:\.\/)?([\w-]+)\.md(#[\w-]*)?$/,
          (_m, name, hash = "") => `${name === "README" ? "index" : name}.html${hash}`,
        );
        const text = this.parser.parseInline(tokens);
        return `<a href="${target}"${title ? ` title="${title}"` : ""}>${text === href ? target : text}</a>`;
      },
    },
  });
  return marked;
}

export function page({ title, body, nav = "", depth = 0, head = "" }) {
  const up = "../".repeat(depth);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="${up}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${up}assets/site.css">
${head}</head>
<body>
<header class="site"><a class="home" href="${up}index.html">Kirin V3 API</a><nav>
<a href="${up}index.html">Guides</a><a href="${up}reference.html">Reference</a><a href="${up}rules.html">Rules</a><a href="${up}playground/">Playground</a>
</nav></header>
<main class="guide">
${nav}${body}
</main>
</body>
</html>
`;
}

const CSS = `:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #f6f8fa; --accent: #0a7d55; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --card: #161b22; --accent: #3fb984; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
header.site { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: baseline; padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--card); }
header.site .home { font-weight: 600; color: var(--fg); text-decoration: none; }
header.site nav { display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
a { color: var(--accent); }
main.guide { max-width: 52rem; margin: 0 auto; padding: 1rem 1.2rem 4rem; overflow-wrap: anywhere; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8rem; overflow-x: auto; font-size: .85rem; }
code { font: .9em ui-monospace, Menlo, Consolas, monospace; }
table { border-collapse: collapse; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
img { max-width: 100%; }
`;

/** The playground for the site: the same page and script, with the mock on MSW's worker. */
async function buildSitePlayground() {
  mkdirSync(`${out}playground`, { recursive: true });
  await build({
    entryPoints: [here("../playground/worker.ts")],
    outfile: `${out}playground/playground.js`,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { KIRIN_MOCK_SCENARIOS: JSON.stringify(scenariosOf(JSON.parse(readFileSync(`${root}generated/openapi.json`, "utf8")))) },
    legalComments: "none",
    logLevel: "warning",
    // worker.ts imports "./playground.js" as TypeScript spells it; beside it lies the bundle that
    // `npm start` serves under that name: take the source.
    plugins: [
      {
        name: "playground-source",
        setup: (b) => b.onResolve({ filter: /^\.\/playground\.js$/ }, () => ({ path: here("../playground/playground.ts") })),
      },
    ],
  });
  const html = readFileSync(here("../playground/index.html"), "utf8").replace('<html lang="en">', '<html lang="en" data-mock="worker">');
  writeFileSync(`${out}playground/index.html`, html);
  copyFileSync(`${root}node_modules/msw/lib/mockServiceWorker.js`, `${out}mockServiceWorker.js`);
}

export async function buildSite() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(`${out}assets`, { recursive: true });
  const marked = renderer();
  for (const file of readdirSync(here("..")).filter((f) => f.endsWith(".md"))) {
    const markdown = readFileSync(here(`../${file}`), "utf8");
    const title = /^# (.*)$/m.exec(markdown)?.[1] ?? file;
    const name = file === "README.md" ? "index" : file.replace(/\.md$/, "");
    writeFileSync(`${out}${name}.html`, page({ title: `${title} - Kirin V3 API`, body: marked.parse(markdown) }));
  }
  ensureReference();
  copyFileSync(here("../reference.html"), `${out}reference.html`);
  cpSync(here("../assets"), `${out}assets`, { recursive: true });
  writeFileSync(`${out}assets/site.css`, CSS);
  copyFileSync(here("../assets/favicon.svg"), `${out}favicon.svg`);
  copyFileSync(`${root}generated/openapi.json`, `${out}openapi.json`);
  await buildSitePlayground();
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await buildSite();
  console.log(`site/ written: open site/index.html from any static server`);
}
