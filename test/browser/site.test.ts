// The static docs site (`npm run site`) in Chromium, served by a plain static file server from a
// sub-path, with no API server running: every page loads without console errors or failed
// requests, every internal link resolves, and the playground - on MSW's worker - creates a task and
// plays its video. Then the Vite recipe of docs/browser.md, bundled as a page, does the same.
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "../../docs/site/build.mjs";
import { launchChromium, skipBrowser } from "../support/chromium.js";
import { type StaticServer, serveStatic } from "../support/static-server.js";

const PREFIX = "/some/sub/path/";

let site: StaticServer;
let recipe: StaticServer;
let browser: Browser;
let context: BrowserContext;
/** Requests to any host other than 127.0.0.1 (aborted), console errors, failed answers. */
const blocked: string[] = [];
const problems: string[] = [];

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && problems.push(`${page.url()}: console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  await page.goto(url);
  return page;
}

describe.skipIf(skipBrowser)("the static site from a sub-path, no API server", () => {
  beforeAll(async () => {
    const folder = await buildSite();
    site = await serveStatic(folder, PREFIX);
    browser = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1") return route.continue();
      blocked.push(url.href);
      return route.abort("blockedbyclient");
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await recipe?.close();
  });

  it("every page loads, and every internal link resolves", async () => {
    const seen = new Set<string>();
    const queue = [`${site.url}index.html`];
    while (queue.length > 0) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const page = await open(url);
      // Redoc's menu links are its own router's (it handles clicks in the page); the rest are ours.
      const ours = url.endsWith("reference.html") ? "a[href]:not([data-discover])" : "a[href]";
      const links = await page.$$eval(ours, (as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const link of links) {
        const target = new URL(link);
        if (target.origin !== new URL(site.url).origin) continue;
        expect(target.pathname.startsWith(PREFIX), `${link} on ${url} leaves the site's prefix`).toBe(true);
        target.hash = "";
        if (target.pathname.endsWith(".html") || target.pathname.endsWith("/")) queue.push(target.href);
        else expect((await context.request.get(target.href)).status(), link).toBe(200);
      }
      await page.close();
    }
    const pages = [...seen].map((u) => u.slice(site.url.length));
    expect(pages).toEqual(
      expect.arrayContaining([
        "index.html",
        "quick-start.html",
        "mock.html",
        "browser.html",
        "testing.html",
        "rules.html",
        "reference.html",
        "playground/",
      ]),
    );
    expect(site.missing).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it("the reference shows no empty 'API docs by' box and asks for no /favicon.ico", async () => {
    const page = await open(`${site.url}reference.html`);
    await page.getByText("kirin_v3_omni_video").first().waitFor();
    expect(await page.locator('a[href="https://redocly.com/redoc/"]').isVisible()).toBe(false);
    await page.close();
    expect(site.missing).toEqual([]);
  });

  it("the playground opens with a valid request: Create task plays a video, answered by the worker", async () => {
    const page = await open(`${site.url}playground/`);
    await expect.poll(() => page.textContent("#verdict"), { timeout: 15_000 }).toContain("ready to send");
    expect(await page.textContent('[data-path="/image"]')).toContain("sample-start.png");
    await page.getByRole("button", { name: "Create task" }).click();
    await expect.poll(() => page.textContent("#status"), { timeout: 30_000 }).toMatch(/: completed$/);
    await page.evaluate(() => {
      const v = document.querySelector("video")!;
      v.muted = true;
      void v.play();
    });
    const played = await page.waitForFunction(
      () => {
        const v = document.querySelector("video")!;
        return v.currentTime > 0 ? { src: v.currentSrc, width: v.videoWidth, height: v.videoHeight } : undefined;
      },
      undefined,
      { timeout: 15_000, polling: 200 },
    );
    const video = await played.jsonValue();
    expect(video!.src.startsWith(`${site.url}mock-api/media/sample-16x9.mp4`)).toBe(true);
    expect([video!.width, video!.height]).toEqual([320, 180]);
    // The mock's admin surface answers on the worker too.
    const state = await page.evaluate(async (base) => (await fetch(`${base}mock-api/__mock/tasks`)).json(), site.url);
    expect(state.tasks).toHaveLength(1);
    expect(state.requests[0]).toMatchObject({ method: "POST", status: 200 });

    // A slow task (a minute) skipped to its end through the admin surface.
    await page.getByLabel("Mock scenario").selectOption("slow");
    await page.getByRole("button", { name: "Create task" }).click();
    await expect.poll(() => page.textContent("#status")).toMatch(/^Task task_\w+: in_progress|^Task task_\w+: (pending|processing)/);
    await page.getByRole("button", { name: "Skip to the end" }).click();
    await expect.poll(() => page.textContent("#status"), { timeout: 30_000 }).toMatch(/: completed$/);

    // A scenario that takes a number is offered with one (the bare pattern would be refused).
    const offered = await page.locator("#scenario option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(expect.arrayContaining(["fail-at:50", "rate-limit-share:50", "rate-limit-once"]));
    expect(offered.filter((v) => /:[A-Z]$/.test(v))).toEqual([]);
    await page.close();
    expect(problems).toEqual([]);
  }, 90_000);

  it("on a phone's width the titles stay on one line and nothing scrolls sideways", async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    for (const path of ["playground/", "index.html", "quick-start.html"]) {
      const page = await phone.newPage();
      await page.goto(`${site.url}${path}`);
      const layout = await page.evaluate(() => {
        const title = document.querySelector("header h1, header .home") as HTMLElement;
        const lineHeight = parseFloat(getComputedStyle(title).lineHeight) || title.offsetHeight;
        return { lines: Math.round(title.offsetHeight / lineHeight), overflow: document.documentElement.scrollWidth - window.innerWidth };
      });
      expect(layout, path).toEqual({ lines: 1, overflow: 0 });
      await page.close();
    }
    await phone.close();
  });

  it("the Vite recipe of docs/browser.md, as a page under a sub-path, creates a task and plays its 9:16 video", async () => {
    const folder = mkdtempSync(join(tmpdir(), "kirin-vite-recipe-"));
    await build({
      entryPoints: ["test/recipes/vite-page.ts"],
      outfile: join(folder, "page.js"),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      alias: { "kirin-api/msw": "./mock/msw.ts", "kirin-api": "./src/index.ts" },
      logLevel: "warning",
    });
    copyFileSync("node_modules/msw/lib/mockServiceWorker.js", join(folder, "mockServiceWorker.js"));
    writeFileSync(
      join(folder, "index.html"),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><p id="status"></p><video playsinline muted></video><script type="module" src="page.js"></script>',
    );
    recipe = await serveStatic(folder, "/app/");
    const page = await open(`${recipe.url}`);
    const played = await page.waitForFunction(
      () => {
        const v = document.querySelector("video")!;
        return v.currentTime > 0
          ? { width: v.videoWidth, height: v.videoHeight, status: document.querySelector("#status")!.textContent }
          : undefined;
      },
      undefined,
      { timeout: 30_000, polling: 200 },
    );
    expect(await played.jsonValue()).toEqual({ width: 180, height: 320, status: "completed" });
    await page.close();
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
  }, 60_000);
});
