// inspectImage: URL or Base64, format by magic bytes, size from length and padding, dimensions
// from the header only. imageToBase64: the exact Base64 the API wants.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { imageToBase64, inspectImage } from "../../src/image.js";
import { base64, gif, jpeg, png } from "./image-fixtures.js";

describe("inspectImage", () => {
  it("tells absolute http(s) URLs from everything else", () => {
    expect(inspectImage("https://cdn.example.com/a.png")).toEqual({ kind: "url" });
    expect(inspectImage("http://127.0.0.1:8080/x?y=1")).toEqual({ kind: "url" });
    expect(inspectImage("ftp://cdn.example.com/a.png").kind).toBe("invalid");
    expect(inspectImage("/images/a.png").kind).toBe("invalid");
    expect(inspectImage("").kind).toBe("invalid");
    expect(inspectImage(42 as unknown as string)).toMatchObject({ kind: "invalid" });
  });

  it("reads a PNG's format, size and dimensions", () => {
    const bytes = png(480, 320);
    expect(inspectImage(base64(bytes))).toEqual({
      kind: "base64",
      format: "png",
      bytes: bytes.length,
      width: 480,
      height: 320,
      signature: "89 50 4E 47",
    });
  });

  it("gets the decoded size exactly from length and padding (0, 1 and 2 '=')", () => {
    for (const size of [300, 301, 302, 100_000, 100_001]) {
      expect(inspectImage(base64(png(300, 300, size))).bytes).toBe(size);
    }
  });

  it("finds a JPEG's size behind a 60 kB EXIF block and a 1 MB ICC profile", () => {
    expect(inspectImage(base64(jpeg(640, 360)))).toMatchObject({ format: "jpeg", width: 640, height: 360 });
    expect(inspectImage(base64(jpeg(1920, 1080, { exifBytes: 60_000 })))).toMatchObject({ width: 1920, height: 1080 });
    const big = jpeg(4000, 3000, { exifBytes: 65_000, iccBytes: 1_000_000 });
    expect(inspectImage(base64(big))).toMatchObject({ format: "jpeg", bytes: big.length, width: 4000, height: 3000 });
    expect(inspectImage(base64(jpeg(800, 600, { progressive: true })))).toMatchObject({ width: 800, height: 600 });
  });

  it("leaves dimensions unknown rather than wrong for a broken header", () => {
    const truncated = jpeg(640, 360, { exifBytes: 1000 }).subarray(0, 500);
    const info = inspectImage(base64(truncated));
    expect(info).toMatchObject({ kind: "base64", format: "jpeg" });
    expect(info.width).toBeUndefined();
    const cut = inspectImage(base64(png(480, 320).subarray(0, 20)));
    expect(cut.format).toBe("png");
    expect(cut.width).toBeUndefined();
  });

  it("reports other formats as unknown with their first bytes", () => {
    expect(inspectImage(base64(gif(400, 400)))).toMatchObject({ kind: "base64", format: "unknown", signature: "47 49 46 38" });
  });

  it("reads the Base64 behind a data: prefix but marks it", () => {
    const info = inspectImage(`data:image/png;base64,${base64(png(400, 300))}`);
    expect(info).toMatchObject({ kind: "data-url", format: "png", width: 400, height: 300 });
  });

  it("rejects invalid Base64 where it looks: length, padding, header and tail", () => {
    const good = base64(png(400, 300, 1000));
    expect(inspectImage(good.slice(1)).problem).toMatch(/not a multiple of 4/);
    expect(inspectImage(`!${good.slice(1)}`).problem).toMatch(/character 1 is "!"/);
    expect(inspectImage(`${good.slice(0, -4)}AB=C`).problem).toMatch(/not in the Base64 alphabet/);
    expect(inspectImage(`${good.slice(0, -4)}A===`).kind).toBe("invalid");
    expect(inspectImage("====").kind).toBe("invalid");
    // MIME-style line breaks every 76 characters (length kept a multiple of 4)
    const wrapped = good.replace(/(.{76})/g, "$1\r\n");
    expect(inspectImage(wrapped.slice(0, wrapped.length - (wrapped.length % 4)))).toMatchObject({
      kind: "invalid",
      problem: expect.stringMatching(/character 77 is "\\r"/),
    });
    expect(inspectImage(`${good.slice(0, 40)}-_${good.slice(42)}`).kind).toBe("invalid"); // URL-safe alphabet
  });

  it("never reads the middle of the string (documented: the server's decoder catches a bad character there)", () => {
    const good = base64(png(400, 300, 100_000));
    const middle = good.length / 2;
    const damaged = `${good.slice(0, middle)}!!!!${good.slice(middle + 4)}`;
    expect(inspectImage(damaged)).toMatchObject({ kind: "base64", width: 400 });
  });
});

describe("imageToBase64", () => {
  it("matches a reference encoder on any bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expect(await imageToBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      }),
    );
  });

  it("takes a Uint8Array view, an ArrayBuffer and a Blob", async () => {
    const bytes = png(300, 300);
    const expected = base64(bytes);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(await imageToBase64(padded.subarray(5, 5 + bytes.length))).toBe(expected);
    expect(await imageToBase64(bytes.slice().buffer)).toBe(expected);
    expect(await imageToBase64(new Blob([bytes.slice().buffer]))).toBe(expected);
    expect(inspectImage(await imageToBase64(bytes))).toMatchObject({ kind: "base64", format: "png", width: 300 });
  });

  it("encodes a 12 MB file in one piece (no argument-count limits)", async () => {
    const bytes = png(1000, 1000, 12 * 1024 * 1024);
    const text = await imageToBase64(bytes);
    expect(text.length).toBe(Math.ceil(bytes.length / 3) * 4);
    expect(text).toBe(Buffer.from(bytes).toString("base64"));
  });
});
