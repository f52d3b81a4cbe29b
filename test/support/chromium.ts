// Debian's chromium, driven by playwright-core, for the suites that run pages in a real browser.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

// Outside CI a machine without Debian's chromium skips; CI installs it (.ci/run), so there the
// suites always run and a missing browser is a failure.
export const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;

// What works on a closed network: no background traffic that the machine would refuse.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts the browser with the flags above and `extra`. */
export function launchChromium(extra: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extra] });
}
