import { describe, expect, it } from "vitest";
import { candidateForms, extractTables, joinDigitGroups, textTokens } from "../../policies/disclosure/content/index.js";
import { numbersInText } from "../../policies/disclosure/content/numbers.js";

const MOBILE = "13812345678";
const has = (token: string, want: string) => candidateForms(token).some((f) => f.v === want);

describe("output-side decoding (content/decode.ts)", () => {
  it("undoes each single encoding of a mobile", () => {
    const b64 = Buffer.from(MOBILE).toString("base64");
    const cases: [string, string][] = [
      ["hex", Buffer.from(MOBILE).toString("hex").toUpperCase()],
      ["base64", b64],
      ["base64url", Buffer.from(`id:${MOBILE}?`).toString("base64url")],
      ["percent", [...MOBILE].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")],
      ["unicode", [...MOBILE].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join("")],
      ["0x", `0x${BigInt(MOBILE).toString(16)}`],
      ["0o", `0o${BigInt(MOBILE).toString(8)}`],
      ["binary", BigInt(MOBILE).toString(2)],
      ["base36", BigInt(MOBILE).toString(36)],
      ["full-width", "１３８１２３４５６７８"],
      ["dashes", "138-1234-5678"],
      ["reversed", [...MOBILE].reverse().join("")],
      ["rotated +4", MOBILE.replace(/\d/g, (d) => String((Number(d) + 4) % 10))],
    ];
    const missed = cases.filter(([, t]) => !has(t, MOBILE)).map(([n]) => n);
    expect(missed).toEqual([]);
  });

  it("undoes compositions up to three layers, and base32/base58 of an ID", () => {
    const id = "11010519900101123X";
    const hexThenB64 = Buffer.from(Buffer.from(id).toString("hex")).toString("base64");
    expect(has(hexThenB64, id.toLowerCase())).toBe(true);
    expect(has(encodeURIComponent(Buffer.from(id).toString("base64")), id.toLowerCase())).toBe(true);
    const b32 = "GEYTAMJQGUYTSOJQGAYTAMJRGIZVQ===";
    expect(has(b32, id.toLowerCase())).toBe(true);
    expect(has("3yQ", "abc")).toBe(false);
  });

  it("joins digit groups but leaves prose alone", () => {
    expect(joinDigitGroups("卡号 6222 0212 3456 7890 123 已冻结")).toBe("卡号 6222021234567890123 已冻结");
    expect(joinDigitGroups("共 103 人，平均 18.5 岁")).toBe("共 103 人，平均 185 岁");
    expect(textTokens("电话一三八一二三四五六七八")).toContain(MOBILE);
  });

  it("reads numbers with their decimals, percentages and 万", () => {
    const ns = numbersInText("共 1,200 人，占 27.5%，合计 1.2万 元");
    expect(ns.map((n) => [n.x, n.decimals])).toEqual([[1200, 0], [27.5, 1], [12000, -3]]);
    expect(ns[1].variants).toEqual([{ x: 0.275, decimals: 3 }]);
  });
});

describe("embedded tables (content/extract-tables.ts)", () => {
  it("finds Markdown, CSV and aligned tables with their headers, and not prose", () => {
    const text = [
      "各区县概况如下。",
      "| 区县 | 人数 |",
      "|---|---:|",
      "| 330106 | 103 |",
      "| 330108 | 97 |",
      "",
      "gender,n",
      "M,201",
      "F,199",
      "",
      "科室    人次    均值",
      "内科    401    1025.3",
      "外科    398    998.1",
      "",
      "结论：总体平稳，无异常，建议继续观察。",
    ].join("\n");
    const ts = extractTables(text);
    expect(ts.map((t) => [t.source, t.columns.map((c) => c.name), t.rowCount])).toEqual([
      ["markdown", ["区县", "人数"], 2],
      ["csv", ["gender", "n"], 2],
      ["aligned", ["科室", "人次", "均值"], 2],
    ]);
    expect(ts[0].columns[1].values).toEqual(["103", "97"]);
    expect(extractTables("第一句，第二句。\n第三句，第四句。")).toEqual([]);
  });
});
