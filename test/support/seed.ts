// fast-check draws a new seed for every property run, so the property and fuzz suites try new
// inputs each time; a failure prints its seed for replay. Under CI the seed is the commit's
// instead: a commit's CI run is then one that can be run again before it lands, while each new
// commit still tries new inputs. KIRIN_FC_SEED sets it by hand (a seed a failure printed).
import { execFileSync } from "node:child_process";
import fc from "fast-check";

function commitSeed(): number | undefined {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return Number.parseInt(head.slice(0, 8), 16) | 0;
  } catch {
    return undefined; // not a git checkout: fresh seeds, as outside CI
  }
}

const seed = process.env.KIRIN_FC_SEED ? Number(process.env.KIRIN_FC_SEED) : process.env.CI ? commitSeed() : undefined;
if (seed !== undefined && Number.isInteger(seed)) fc.configureGlobal({ seed });
