// Hostile input, one finding at a time: prototype keys, nesting deep enough to overflow a stack,
// a completed task without a video, broken images, bodies larger than the server takes. Each case
// was once accepted (or crashed) and must now get the documented answer.
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createCallbackHandler, parseCallback } from "../../src/callbacks.js";
import { createKirinClient } from "../../src/client.js";
import {
  KirinPayloadTooLargeError,
  KirinTaskCompletedWithoutOutputError,
  KirinTaskFailedError,
  KirinValidationError,
} from "../../src/errors.js";
import { inspectImage } from "../../src/image.js";
import { MAX_BODY_BYTES } from "../../src/rules/body-size.js";
import { hasOutputUrl, videoUrls } from "../../src/task.js";
import type { KirinRequest } from "../../src/types.js";
import { validateRequest, validateWireRequest } from "../../src/validate.js";
import { bigImages } from "./bodies.js";
import { base64, jpeg, png } from "./image-fixtures.js";

const URL_IMAGE = "https://cdn.example.com/images/fox.jpg";
const rulesOf = (result: { issues: { rule: string; path: string }[] }) => result.issues.map((i) => `${i.rule} ${i.path}`);

describe("prototype keys are never read as data", () => {
  it("a body whose params sit under __proto__ is reported, not read as a body with an image and a prompt", () => {
    const wire = JSON.parse(`{"model":"kirin_v3_i2v","input":[{"params":{"__proto__":{"image":"${URL_IMAGE}","prompt":"p"}}}]}`);
    const result = validateWireRequest(wire);
    expect(result.valid).toBe(false);
    expect(rulesOf(result)).toEqual([
      "single-shot-requires-prompt /input/0/params/prompt",
      "image-or-image-tail /input/0/params/image",
      "no-prototype-keys /input/0/params/__proto__",
    ]);
  });

  it("an envelope wrapped in __proto__ is reported with the envelope's own issues", () => {
    const wire = JSON.parse(`{"__proto__":{"model":"kirin_v3_i2v","input":[{"params":{"image":"${URL_IMAGE}","prompt":"p"}}]}}`);
    const result = validateWireRequest(wire);
    expect(result.valid).toBe(false);
    expect(rulesOf(result)).toEqual(expect.arrayContaining(["required /model", "required /input", "no-prototype-keys /__proto__"]));
  });

  it("validateRequest reports a __proto__ field next to valid ones (it once called the body valid)", () => {
    const body = JSON.parse(`{"model":"kirin_v3_i2v","image":"${URL_IMAGE}","prompt":"p","__proto__":{"duration":"bogus"}}`);
    expect(validateRequest(body)).toEqual({
      valid: false,
      issues: [
        {
          path: "/__proto__",
          rule: "no-prototype-keys",
          severity: "error",
          message:
            "`__proto__` is refused: `__proto__`, `constructor` and `prototype` are no field of any request, and JavaScript reads them as an object's prototype, not as data.",
        },
      ],
    });
  });

  it.each([
    [
      "constructor",
      `{"model":"kirin_v3_omni_video","prompt":"p","aspect_ratio":"16:9","image_list":[{"image_url":"${URL_IMAGE}","constructor":{"prototype":{"x":1}}}]}`,
      "/image_list/0/constructor",
    ],
    [
      "prototype",
      `{"model":"kirin_v3_i2v","image":"${URL_IMAGE}","prompt":"p","watermark_info":{"enabled":true,"prototype":1}}`,
      "/watermark_info/prototype",
    ],
    ["__proto__ with an unknown model", `{"model":"kirin_v9","__proto__":{}}`, "/__proto__"],
  ])("%s at any depth is one issue at its path", (_what, text, path) => {
    const { issues } = validateRequest(JSON.parse(text));
    expect(issues.filter((i) => i.rule === "no-prototype-keys").map((i) => i.path)).toEqual([path]);
    expect(issues.filter((i) => i.path === path)).toHaveLength(1); // not also an unknown field
  });

  it("the client refuses such a body before sending anything", async () => {
    let sent = 0;
    const client = createKirinClient({ apiKey: "test-key-0123456789", fetch: async () => (sent++, new Response("{}")) });
    const body = JSON.parse(`{"model":"kirin_v3_i2v","image":"${URL_IMAGE}","prompt":"p","__proto__":{"duration":"bogus"}}`);
    await expect(client.createTask(body)).rejects.toBeInstanceOf(KirinValidationError);
    expect(sent).toBe(0);
  });

  it("parseCallback keeps its tolerance but hands out a task without prototype keys at any depth", () => {
    const text = `{"id":"t1","status":"completed","__proto__":{"output":[{"content":[{"url":"https://evil.example/x.mp4"}]}]},
      "metadata":{"constructor":{"prototype":{"polluted":true}},"tags":[{"__proto__":{"polluted":true},"name":"a"}]},
      "output":[{"content":[{"url":"https://cdn.example.com/v.mp4","prototype":1}]}]}`;
    const task = parseCallback(text);
    expect(Object.getPrototypeOf(task)).toBe(Object.prototype);
    expect(JSON.stringify(task)).not.toMatch(/__proto__|constructor|prototype|polluted/);
    expect(videoUrls(task)).toEqual(["https://cdn.example.com/v.mp4"]);
    expect(task.metadata).toEqual({ tags: [{ name: "a" }] });
    // Merging it anywhere reaches no prototype.
    const merged = Object.assign({}, task, task.metadata);
    expect((merged as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("words every object inherits a property for", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "a task with status %s keeps it as a string, an unknown status (still running)",
    (status) => {
      const task = parseCallback({ id: "t1", status });
      expect(task.status).toBe(status);
      expect(JSON.parse(JSON.stringify(task))).toEqual({ id: "t1", status });
    },
  );
});

describe("nesting deep enough to overflow a stack is refused", () => {
  const deep = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

  it.each([
    ["metadata", `{"id":"t1","status":"completed","metadata":{"a":${deep(5_000)}}}`, "/metadata/a/0/0"],
    ["an unknown field", `{"id":"t1","status":"in_progress","extra":${deep(100_000)}}`, "/extra/0/0"],
    ["output", `{"id":"t1","status":"completed","output":[{"content":[{"url":"u","x":${deep(70)}}]}]}`, "/output/0/content/0/x/0"],
  ])("a callback nested that deep in %s is a KirinValidationError", (_where, text, pathStart) => {
    let error: unknown;
    try {
      parseCallback(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KirinValidationError);
    const [issue] = (error as KirinValidationError).issues;
    expect(issue).toMatchObject({ rule: "max-depth", message: "is nested more than 64 levels deep; no task is" });
    expect(issue!.path.startsWith(pathStart)).toBe(true);
  });

  it("the same as an object (a framework parsed it), and a cyclic one", () => {
    let nested: unknown = 1;
    for (let i = 0; i < 5_000; i++) nested = [nested];
    expect(() => parseCallback({ id: "t1", status: "completed", metadata: nested })).toThrow(KirinValidationError);
    const cyclic: Record<string, unknown> = { id: "t1", status: "completed" };
    cyclic.metadata = { self: cyclic };
    expect(() => parseCallback(cyclic)).toThrow(KirinValidationError);
  });

  it("64 levels are still a task", () => {
    const text = `{"id":"t1","status":"in_progress","metadata":${deep(62)}}`;
    expect(parseCallback(text).status).toBe("processing");
  });

  it("the callback handler answers 400, not 500", async () => {
    const handler = createCallbackHandler(() => {});
    const res = await handler(
      new Request("https://me.example/kirin", { method: "POST", body: `{"id":"t1","status":"completed","metadata":${deep(5_000)}}` }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.issues[0].rule).toBe("max-depth");
  });
});

describe("bodies larger than the server takes", () => {
  const omniWith = (count: number) =>
    ({
      model: "kirin_v3_omni_video",
      prompt: "p",
      aspect_ratio: "16:9",
      image_list: Array.from({ length: count }, () => ({ image_url: bigImages().max })),
    }) as KirinRequest;

  it("four 10 MB images, each within its own limit, make a 56 MB body: reported before anything is sent", async () => {
    const result = validateRequest(omniWith(4));
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({
        path: "",
        rule: "request-body-size",
        message: expect.stringMatching(
          /^The request body is at least 55,924,\d{3} bytes \(53\.3 MiB\) as sent; the API takes at most 33,554,432 bytes/,
        ),
      }),
    ]);
    let sent = 0;
    const client = createKirinClient({ apiKey: "test-key-0123456789", fetch: async () => (sent++, new Response("{}")) });
    await expect(client.createTask(omniWith(4))).rejects.toBeInstanceOf(KirinValidationError);
    expect(sent).toBe(0);
  });

  it("two of them fit, in either model", () => {
    expect(validateRequest(omniWith(2)).issues).toEqual([]);
    expect(MAX_BODY_BYTES).toBe(32 * 1024 * 1024);
  });

  it("a server that answers 413 and closes while the body is still uploading gets no second POST and no look-up", async () => {
    // A proxy's way: read the headers, answer, cut the connection; the client is mid-way through 42 MB.
    const seen: string[] = [];
    const server = createServer((socket: Socket) => {
      let head = "";
      socket.on("error", () => {});
      socket.on("data", (chunk: Buffer) => {
        if (head.includes("\r\n\r\n")) return;
        head += chunk.toString("latin1");
        if (!head.includes("\r\n\r\n")) return;
        seen.push(head.slice(0, head.indexOf(" ")));
        const [status, body] = head.startsWith("POST")
          ? ["413 Payload Too Large", '{"error":{"code":"payload_too_large","message":"too large"}}']
          : ["404 Not Found", '{"error":{"code":"not_found","message":"no such task"}}'];
        socket.write(
          `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
          () => socket.destroy(),
        );
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as { port: number };
      const client = createKirinClient({
        apiKey: "test-key-0123456789",
        baseUrl: `http://127.0.0.1:${port}`,
        validate: false,
        resendIfAbsent: true,
        retries: 3,
      });
      const body = { model: "kirin_v3_i2v", prompt: "p", image: "A".repeat(42 * 1024 * 1024) } as KirinRequest;
      const error = await client.createTask(body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KirinPayloadTooLargeError);
      expect(seen).toEqual(["POST"]);
    } finally {
      server.close();
    }
  });
});

describe("a completed task without any output URL", () => {
  const bodies = [
    ["output: []", { id: "t1", status: "completed", output: [] }],
    ["no output at all", { id: "t1", status: "completed", usage: { cost: "0.35" } }],
    ["contents without a url", { id: "t1", status: "success", output: [{ content: [{ type: "video" }, { type: "video", url: "" }] }] }],
  ] as const;

  it.each(bodies)("a callback with %s is parsed, with no video URL", (_what, body) => {
    const task = parseCallback(JSON.stringify(body));
    expect(task.status).toBe("completed");
    expect(videoUrls(task)).toEqual([]);
    expect(hasOutputUrl(task)).toBe(false);
  });

  it.each(bodies)(
    "waitForTask and generate end with KirinTaskCompletedWithoutOutputError for %s, not with success",
    async (_what, body) => {
      const fetch = async () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
      const client = createKirinClient({ apiKey: "test-key-0123456789", fetch });
      const error = await client.waitForTask("t1").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KirinTaskCompletedWithoutOutputError);
      expect(error).toBeInstanceOf(KirinTaskFailedError); // a handler of failed tasks sees it too
      expect(error).toMatchObject({
        code: "completed_without_output",
        taskId: "t1",
        retryable: true,
        category: "retry-later",
        message: "Task t1 completed without any output URL: there is no video to return",
      });
      expect((error as KirinTaskFailedError).task.status).toBe("completed");
      const generated = await client.generate({ model: "kirin_v3_i2v", image: URL_IMAGE, prompt: "p" }).catch((e: unknown) => e);
      expect(generated).toBeInstanceOf(KirinTaskCompletedWithoutOutputError);
    },
  );

  it("a completed task with a URL of any type is returned", async () => {
    const body = { id: "t1", status: "completed", output: [{ content: [{ type: "image", url: "https://cdn.example.com/out.webp" }] }] };
    const client = createKirinClient({ apiKey: "test-key-0123456789", fetch: async () => new Response(JSON.stringify(body)) });
    expect((await client.waitForTask("t1")).status).toBe("completed");
  });
});

describe("broken and impossible images", () => {
  const issuesOf = (image: string) =>
    validateRequest({ model: "kirin_v3_i2v", image, prompt: "p" }).issues.map((i) => `${i.rule}: ${i.message}`);
  /** A PNG's signature and IHDR chunk claiming `width` x `height`, nothing more (no pixels are made). */
  const pngHeader = (width: number, height: number) => {
    const header = png(1, 1).subarray(0, 33);
    const view = new DataView(header.buffer, header.byteOffset);
    view.setUint32(16, width);
    view.setUint32(20, height);
    view.setUint32(29, crc32(header.subarray(12, 29)));
    return header;
  };

  it("an 8-byte PNG (the signature alone) is an error", () => {
    expect(issuesOf(base64(png(480, 320).subarray(0, 8)))).toEqual([
      "image-header: `image` is not a complete image: the PNG ends after 8 bytes; a PNG states its width and height in its first 24.",
    ]);
  });

  it("a 3-byte JPEG (FF D8 FF) is an error", () => {
    expect(issuesOf(base64(new Uint8Array([0xff, 0xd8, 0xff])))).toEqual([
      "image-header: `image` is not a complete image: the JPEG ends after 3 bytes, before the frame header that states its width and height.",
    ]);
  });

  it.each([
    ["a PNG cut inside IHDR", png(480, 320).subarray(0, 20), /the PNG ends after 20 bytes/],
    [
      "a PNG whose first chunk is not IHDR",
      Uint8Array.from([...png(480, 320).subarray(0, 12), 0x49, 0x44, 0x41, 0x54, ...png(480, 320).subarray(16, 40)]),
      /does not start with its IHDR chunk/,
    ],
    ["a JPEG cut inside its EXIF block", jpeg(640, 360, { exifBytes: 1000 }).subarray(0, 500), /the JPEG ends after 500 bytes/],
    [
      "a JPEG with image data before any frame header",
      Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34]),
      /image data \(or its end\) comes before any frame header/,
    ],
    [
      "a JPEG whose segment lengths lead off the markers",
      Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0x12, 0x34, 0x56, 0x78]),
      /no segment marker at byte 8/,
    ],
  ])("%s is an error naming what is missing", (_what, bytes, message) => {
    const issues = validateRequest({ model: "kirin_v3_i2v", image: base64(bytes), prompt: "p" }).issues;
    expect(issues).toEqual([
      expect.objectContaining({ path: "/image", rule: "image-header", severity: "error", message: expect.stringMatching(message) }),
    ]);
  });

  it("a PNG header that claims 100000x100000 px is an error", () => {
    expect(issuesOf(base64(pngHeader(100_000, 100_000)))).toEqual([
      "image-max-pixels: `image` is 100000x100000 px (10,000,000,000 pixels); at most 178,956,970 pixels are allowed: decoded, a larger image takes over 700 MB, and image libraries refuse it.",
    ]);
  });

  it("the bound is exact, and a JPEG at its format's largest size (65535 px a side) is beyond it", () => {
    // 13,377 x 13,378 = 178,957,506 > 178,956,970 > 13,377 x 13,377 = 178,944,129.
    expect(issuesOf(base64(pngHeader(13_377, 13_377)))).toEqual([]);
    expect(issuesOf(base64(pngHeader(13_377, 13_378)))[0]).toMatch(/^image-max-pixels: /);
    const header = jpeg(640, 360);
    const sof = header.findIndex((b, i) => b === 0xff && header[i + 1] === 0xc0);
    header.set([0xff, 0xff, 0xff, 0xff], sof + 5);
    expect(issuesOf(base64(header))[0]).toMatch(/^image-max-pixels: `image` is 65535x65535 px/);
  });

  it("inspection still reads the header only: a 14 MB Base64 PNG whose middle is not Base64 at all gets its size", () => {
    const good = base64(png(400, 300, 10 * 1024 * 1024));
    const middle = good.length / 2;
    const broken = `${good.slice(0, middle)}!!!!${good.slice(middle + 4)}`;
    expect(inspectImage(broken)).toEqual(inspectImage(good));
    expect(inspectImage(good)).toMatchObject({ format: "png", width: 400, height: 300 });
  });
});
