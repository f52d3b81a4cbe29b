// What a user's bundler keeps from the package: only the modules an import needs. Sizes are the
// bench's business (npm run bench); this checks which modules end up in a bundle, which does not
// depend on the machine.
import { describe, expect, it } from "vitest";
import { browserBundle } from "../bench/bundle-size.js";

const modulesOf = async (contents: string) => (await browserBundle(contents)).modules;

describe("tree-shaking", () => {
  it("keeps only src/task.ts for videoUrls", async () => {
    expect(await modulesOf(`export { videoUrls } from "./src/index.ts";`)).toEqual(["src/task.ts"]);
  });

  it("leaves the schemas, their reader and openapi-fetch out of kirin-api/client", async () => {
    const modules = await modulesOf(`export { createKirinClient, waitForTask } from "./src/client-entry.ts";`);
    expect(modules).toContain("src/transport.ts");
    expect(modules).toContain("src/poll.ts");
    expect(
      modules.filter(
        (m) => m.includes("generated/") || m.includes("json-schema") || m.includes("openapi-fetch") || m.includes("src/rules/"),
      ),
    ).toEqual([]);
  });

  it("bundles one model's schema without the other's", async () => {
    const modules = await modulesOf(`export { kirinV3I2VParams } from "./generated/json-schemas.js";`);
    expect(modules).toEqual(["generated/json-schemas/kirin-v3-i2v.js"]);
  });

  it("bundles the schemas when kirin-api/client is handed validateRequest", async () => {
    const modules = await modulesOf(
      `import { createKirinClient } from "./src/client-entry.ts"; import { validateRequest } from "./src/index.ts";
       export const client = createKirinClient({ apiKey: "k", validate: validateRequest });`,
    );
    expect(modules).toContain("generated/json-schemas/kirin-v3-omni-video.js");
    expect(modules).toContain("src/json-schema.ts");
    expect(modules.some((m) => m.includes("openapi-fetch"))).toBe(false);
  });
});
