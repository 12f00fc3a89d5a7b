import { describe, expect, it } from "vitest";
import { walkModel } from "../../policies/disclosure/index.js";

describe("model walk", () => {
  it("collects string leaves, object keys, numbers and array lengths from JSON text or objects", () => {
    const m = { w: [1.5, 2, 3], table: { "13812345678": 0.2 }, name: "knn" };
    for (const shape of [walkModel(m), walkModel(JSON.stringify(m)), walkModel(Buffer.from(JSON.stringify(m)))]) {
      expect(shape.parameterCount).toBe(4);
      expect(shape.strings).toEqual(expect.arrayContaining(["13812345678", "knn", "w", "table"]));
      expect(shape.numbers).toEqual(expect.arrayContaining(["1.5", "2", "3", "0.2"]));
      expect(shape.arrays).toEqual([{ path: "$.w", length: 3 }]);
    }
  });
  it("writes large integers without an exponent, so 13812345678 matches the raw mobile", () => {
    expect(walkModel({ x: 13812345678 }).numbers).toEqual(["13812345678"]);
  });
  it("terminates on a live object with a cycle", () => {
    const a: Record<string, unknown> = { v: 1 };
    a.self = a;
    expect(walkModel(a).parameterCount).toBe(1);
  });
});
