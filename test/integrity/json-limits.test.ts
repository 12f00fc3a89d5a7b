import { describe, expect, it } from "vitest";
import { checkJsonInput, checkValueDepth } from "../../policies/limits.js";

const code = (fn: () => void) => {
  try {
    fn();
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe("JSON limits are checked before any parser runs", () => {
  it("counts depth outside strings only", () => {
    expect(code(() => checkJsonInput(`{"a":"${"[".repeat(500)}"}`, "x"))).toBe("ok");
    expect(code(() => checkJsonInput(`{"a":"\\"${"[".repeat(500)}"}`, "x"))).toBe("ok");
    expect(code(() => checkJsonInput("[".repeat(65) + "]".repeat(65), "x"))).toBe("INPUT_TOO_DEEP");
    expect(code(() => checkJsonInput("[".repeat(64) + "]".repeat(64), "x"))).toBe("ok");
    expect(code(() => checkJsonInput("[".repeat(1_000_000), "x"))).toBe("INPUT_TOO_DEEP");
  });

  it("refuses oversize and over-wide input", () => {
    expect(code(() => checkJsonInput('"' + "a".repeat(2000) + '"', "x", { maxBytes: 1000 }))).toBe("INPUT_TOO_LARGE");
    expect(code(() => checkJsonInput("[" + Array(200).fill(1).join(",") + "]", "x", { maxWidth: 100 }))).toBe("TOO_WIDE");
    expect(code(() => checkJsonInput('{"a":"' + ",".repeat(500) + '"}', "x", { maxWidth: 100 }))).toBe("ok");
  });

  it("checks parsed values iteratively (a value 100,000 deep does not overflow the checker's stack)", () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(code(() => checkValueDepth(v, "params"))).toBe("INPUT_TOO_DEEP");
    expect(code(() => checkValueDepth({ a: [{ b: 1 }] }, "params"))).toBe("ok");
  });
});
