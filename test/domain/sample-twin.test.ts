import { describe, expect, it } from "vitest";
import { asRawType } from "../../runtime/library/sample-twin.js";

describe("R2 the dev-mode sample library keeps the raw column types", () => {
  it("maps generalised dates back to a date at the start of the period", () => {
    expect(asRawType("1987", "DATE")).toBe("1987-01-01");
    expect(asRawType("1987-05", "DATE")).toBe("1987-05-01");
    expect(asRawType("1987-Q3", "TIMESTAMP")).toBe("1987-07-01");
    expect(asRawType("1987-05-06", "DATE")).toBe("1987-05-06");
  });
  it("maps numeric ranges to their lower bound and leaves text alone", () => {
    expect(asRawType("20-29", "INTEGER")).toBe("20");
    expect(asRawType("90+", "BIGINT")).toBe("90");
    expect(asRawType("[1000, 2000)", "DOUBLE")).toBe("1000");
    expect(asRawType("-5 - 5", "DECIMAL(10,2)")).toBe("-5");
    expect(asRawType("20-29", "VARCHAR")).toBe("20-29");
    expect(asRawType(null, "INTEGER")).toBeNull();
  });
});
