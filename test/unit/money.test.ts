import { describe, expect, it } from "vitest";
import { sumDecimals } from "../../src/money.js";

describe("sumDecimals", () => {
  it("adds the gateway's cost strings exactly", () => {
    expect(sumDecimals(Array(10).fill("0.1"))).toBe("1.0");
    expect(sumDecimals(["0.0065", "0.35", "2"])).toBe("2.3565");
    expect(sumDecimals(["", undefined, "n/a", "1.5"])).toBe("1.5");
    expect(sumDecimals([])).toBe("0");
  });
});
