// The docs and the playground in a real browser: Debian's chromium, driven by playwright-core,
// against the mock on a free loopback port. Every request the browser makes goes through a route
// that lets 127.0.0.1 through and aborts (and records) anything else, so the pages are proven to
// work offline. Screenshots land in a fresh folder under the OS temp dir.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlayground } from "../../docs/playground/build.mjs";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { CHROMIUM, launchChromium, skipBrowser } from "../support/chromium.js";
import { png } from "../unit/image-fixtures.js";

const API = "/model/v1/generation";

let mock: MockServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let shots = "";
/** Every request that reached the route: method, URL and body. */
const sent: { method: string; url: URL; body: string | null; scenario: string | undefined }[] = [];
/** Requests to any host other than 127.0.0.1, aborted. */
const blocked: string[] = [];
const pageErrors: string[] = [];
const creates = () => sent.filter((r) => r.method === "POST" && r.url.pathname === API);

async function screenshot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0)); // the task panel is sticky: show it where it starts
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

describe.skipIf(skipBrowser)(
  skipBrowser ? `playground (skipped: no ${CHROMIUM}; CI installs it)` : "docs and playground in Chromium",
  () => {
    beforeAll(async () => {
      await buildPlayground(); // what `npm start` serves, from the src/ under test (the reference: global setup)
      mock = await startMockServer({ port: 0, taskSeconds: 2, log: () => {} });
      shots = mkdtempSync(join(tmpdir(), "kirin-playground-"));
      // playwright-core gives each launch a new empty profile directory.
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.route("**/*", (route) => {
        const request = route.request();
        const url = new URL(request.url());
        if (url.hostname !== "127.0.0.1") {
          blocked.push(request.url());
          return route.abort("blockedbyclient");
        }
        sent.push({ method: request.method(), url, body: request.postData(), scenario: request.headers()["x-kirin-mock-scenario"] });
        return route.continue();
      });
      page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(error.message));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await mock?.close();
      if (shots) console.log(`playground screenshots: ${shots}`);
    });

    it("the guard records and stops a request to another host", async () => {
      await page.goto(`${mock.url}/playground`);
      const outcome = await page.evaluate(() =>
        fetch("http://example.com/track.gif").then(
          () => "reached",
          () => "stopped",
        ),
      );
      expect(outcome).toBe("stopped");
      expect(blocked).toEqual(["http://example.com/track.gif"]);
      blocked.length = 0;
    });

    it("/docs shows the reference", async () => {
      await page.goto(`${mock.url}/docs`);
      await page.getByText("kirin_v3_omni_video", { exact: false }).first().waitFor();
      expect(await page.title()).toContain("Kirin V3 API reference");
      await screenshot("1-docs");
    });

    it("a valid i2v request with an uploaded PNG completes and its video loads", async () => {
      await page.goto(`${mock.url}/playground`);
      // It opens with a valid request (a prompt and a sample start frame drawn by the page).
      await expect.poll(() => page.textContent("#verdict")).toContain("ready to send");
      expect(await page.textContent('[data-path="/image"]')).toContain("sample-start.png: PNG 640 × 360");
      expect(await page.locator(".issue").count()).toBe(0);
      await screenshot("2-playground-opened");
      await page.setInputFiles("#image-file", { name: "fox.png", mimeType: "image/png", buffer: Buffer.from(png(640, 360)) });
      await expect.poll(() => page.textContent("#verdict")).toContain("ready to send");
      expect(await page.textContent('[data-path="/image"]')).toContain("PNG 640 × 360");
      await page.getByLabel("Duration (s)").selectOption("6");
      await page.getByRole("button", { name: "Create task" }).click();

      await expect.poll(() => page.textContent("#status"), { timeout: 20_000 }).toMatch(/: completed$/);

      const video = await page.waitForFunction(
        () => {
          const v = document.querySelector("video");
          return v && v.readyState >= 1 && v.duration > 0
            ? { readyState: v.readyState, duration: v.duration, src: v.currentSrc }
            : undefined;
        },
        undefined,
        { timeout: 10_000 },
      );
      const metadata = await video.jsonValue();
      expect(metadata!.duration).toBeGreaterThan(0);
      expect(metadata!.src).toMatch(new RegExp(`^${mock.url}/media/sample-16x9\\.mp4\\?`));
      expect(await page.evaluate(() => (document.querySelector("progress") as HTMLProgressElement).value)).toBe(1);
      expect(await page.textContent("#outcome")).toMatch(/cost0\.4200 USD/); // 6 s of std at 0.07 USD/s

      // One create, carrying the file as raw Base64 (PNG signature, no data: prefix), then polls.
      expect(creates()).toHaveLength(1);
      expect(creates()[0]!.scenario).toBeUndefined();
      const wire = JSON.parse(creates()[0]!.body!);
      expect(wire.model).toBe("kirin_v3_i2v");
      expect(wire.input[0].params).toMatchObject({ duration: "6", image: expect.stringMatching(/^iVBORw0KGgo/) });
      expect(sent.filter((r) => r.method === "GET" && r.url.pathname.startsWith(`${API}/task/`)).length).toBeGreaterThan(0);
      await screenshot("3-completed");
    });

    it("a broken rule shows next to its field and nothing is sent", async () => {
      const before = creates().length;
      await page.getByLabel("Multi-shot").check();
      // Turning multi-shot on starts valid: two shots, each with a prompt, that add up to the total (3 + 3).
      await expect.poll(() => page.textContent("#verdict")).toContain("ready to send");
      expect(await page.locator(".issue").count()).toBe(0);
      const shotsField = page.locator('[data-path="/multi_prompt"]');
      await shotsField.getByLabel("Prompt").nth(0).fill("The fox stops and looks up.");
      await shotsField.getByLabel("Prompt").nth(1).fill("Close-up of the fox's eyes.");
      // Make it 4 + 3: the sum is about every shot, so it shows under the list and marks each shot's seconds.
      await shotsField.getByLabel("Seconds").nth(0).fill("4");
      const issue = page.locator('[data-path="/multi_prompt"] > .issues .issue');
      await expect.poll(() => issue.textContent()).toContain("shot-durations-sum");
      expect(await page.locator('[data-path="/multi_prompt/1/duration"] .issue').count()).toBe(0);
      for (const n of [0, 1]) expect(await shotsField.getByLabel("Seconds").nth(n).getAttribute("aria-invalid")).toBe("true");

      await page.getByRole("button", { name: "Create task" }).click();
      await expect.poll(() => page.textContent("#verdict")).toContain("Not sent");
      expect(creates()).toHaveLength(before);
      await screenshot("4-invalid");

      await shotsField.getByLabel("Seconds").nth(0).fill("3");
      await expect.poll(() => issue.count()).toBe(0);
    });

    it("a failure scenario shows the failed task's code, message and that it is retryable", async () => {
      await page.getByLabel("Multi-shot").uncheck();
      await page.getByLabel("Mock scenario").selectOption("fail-006001094");
      await page.getByRole("button", { name: "Create task" }).click();
      const outcome = page.locator("#outcome");
      await expect.poll(() => outcome.textContent(), { timeout: 20_000 }).toContain("The task failed");
      expect(await outcome.textContent()).toMatch(/code006001094messageTask resource insufficientretryableyes/);
      expect(await page.textContent("#status")).toMatch(/: failed$/);
      expect(creates().at(-1)!.scenario).toBe("fail-006001094"); // the header, not a [mock:...] prompt
      expect(JSON.parse(creates().at(-1)!.body!).input[0].params.prompt).not.toContain("[mock:");
      await screenshot("5-failed");
    });

    it("an API error (429 after the client's retries) is shown with its status and code", async () => {
      const before = creates().length;
      await page.getByLabel("Mock scenario").selectOption("rate-limit");
      await page.getByRole("button", { name: "Create task" }).click();
      const outcome = page.locator("#outcome");
      await expect.poll(() => outcome.textContent(), { timeout: 20_000 }).toContain("HTTP 429 rate_limited");
      expect(creates().length - before).toBe(3); // the first try and the client's 2 retries
      // Each retry was in the log as it happened, named for what it was, with the server's wait.
      const retries = await page.locator("#log li.retry").allTextContents();
      expect(retries).toEqual([
        "↻ Sending the create again in 1.0 s (after 429, as its Retry-After asked)",
        "↻ Sending the create again in 1.0 s (after 429, as its Retry-After asked)",
      ]);
      expect(await outcome.textContent()).toContain("retried2 time(s)");
      await screenshot("6-rate-limited");
    });

    it("a 402 in the gateway's status wrapper shows the server's words, and the create is not sent again", async () => {
      const before = creates().length;
      await page.getByLabel("Mock scenario").selectOption("insufficient-credits");
      await page.getByRole("button", { name: "Create task" }).click();
      const outcome = page.locator("#outcome");
      await expect.poll(() => outcome.textContent(), { timeout: 20_000 }).toContain("HTTP 402 40201");
      expect(await outcome.textContent()).toContain("the server saidInsufficient credits");
      expect(await outcome.textContent()).toContain("the API key or the account");
      expect(creates().length - before).toBe(1);
      expect(await page.locator("#log li.retry").count()).toBe(0);
    });

    it("the log shows the wire's words, the status line what the client read them as", async () => {
      await page.getByLabel("Mock scenario").selectOption("");
      await page.getByLabel("Answer shapes").selectOption("wire");
      await page.getByRole("button", { name: "Create task" }).click();
      await expect.poll(() => page.locator("#log").textContent(), { timeout: 20_000 }).toContain("in_progress");
      await expect.poll(() => page.textContent("#status"), { timeout: 20_000 }).toMatch(/: (processing|completed)/);
      // No status request the moment the task was made: the create's answer is the first one.
      const lines = await page.locator("#log li").allTextContents();
      expect(lines[0]).toMatch(/^POST \/generation → 200 in_progress 0%/);
      await expect.poll(() => page.textContent("#status"), { timeout: 20_000 }).toMatch(/: completed$/);
    });

    it("a queued task shows its queue, then a bar that moves smoothly between polls; Cancel stops following it", async () => {
      await page.getByLabel("Mock scenario").selectOption("slow");
      await page.getByRole("button", { name: "Create task" }).click();
      await expect.poll(() => page.textContent("#status")).toMatch(/^Task task_\w+: (pending|processing)/);
      // The queue shows as a queue (an indeterminate bar and "queued for N s"), not a bar stuck at 0.
      await expect.poll(() => page.textContent("#progress-about")).toMatch(/^queued for \d+ s$/);
      expect(await page.locator("progress").getAttribute("value")).toBeNull();
      // Running: sample the bar ten times a second for two seconds - many small steps, never back.
      await expect.poll(() => page.textContent("#progress-about"), { timeout: 20_000 }).toMatch(/% running/);
      const samples = await page.evaluate(async () => {
        const bar = document.querySelector("progress")!;
        const seen: number[] = [];
        for (let i = 0; i < 20; i++) {
          seen.push(bar.value);
          await new Promise((r) => setTimeout(r, 100));
        }
        return seen;
      });
      expect(new Set(samples).size).toBeGreaterThanOrEqual(5);
      expect(samples).toEqual([...samples].sort((a, b) => a - b));
      expect(Math.max(...samples)).toBeLessThan(1);
      const followed = /^Task (task_\w+)/.exec((await page.textContent("#status"))!)![1];
      await page.getByRole("button", { name: "Cancel" }).click();
      // The id stays on screen: the task may still run, and this is how to find it again.
      await expect
        .poll(() => page.textContent("#status"))
        .toBe(`Task ${followed}: cancelled here (no longer followed); it may still run on the server.`);
      const polls = sent.length;
      await page.waitForTimeout(1_500);
      expect(sent.length).toBe(polls);
      expect(await page.getByRole("button", { name: "Create task" }).isEnabled()).toBe(true);
    });

    it("omni lists and fields get their own issues", async () => {
      await page.getByLabel("Mock scenario").selectOption("");
      await page.getByLabel("kirin_v3_omni_video").check();
      await page.getByRole("button", { name: "Add image" }).click();
      await page.getByRole("button", { name: "Add video" }).click();
      await page.getByLabel("Video URL").fill("https://cdn.example.com/clip.mp4");
      await page.getByLabel("Sound", { exact: true }).selectOption("on");
      await page.getByLabel("Element ids").fill("829301, fox");
      const issueAt = (path: string) => page.locator(`[data-path="${path}"] > .issues`).textContent();
      await expect.poll(() => issueAt("/image_list/0/image_url")).toContain("min-length");
      expect(await issueAt("/sound")).toContain("reference-video-sound-off");
      expect(await issueAt("/element_list")).toContain('element_list[1].element_id is "fox"; expected an integer');
      // The message's `quoted` field names are shown as code.
      expect(await page.locator('[data-path="/element_list"] .issue code:not(.rule)').first().textContent()).toBe(
        "element_list[1].element_id",
      );
      // The image row's picker takes a file like the i2v one: its issue goes away.
      await page
        .locator('[data-path="/image_list/0"] input[type=file]')
        .setInputFiles({ name: "scene.png", mimeType: "image/png", buffer: Buffer.from(png(400, 400)) });
      await expect.poll(() => page.locator('[data-path="/image_list/0/image_url"] .issue').count()).toBe(0);
      expect(await page.locator("[data-model=kirin_v3_i2v]").isHidden()).toBe(true);
      await screenshot("7-omni");
    });

    it("no request left 127.0.0.1 and the page threw nothing", () => {
      expect(blocked).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(sent.length).toBeGreaterThan(5);
    });
  },
);
