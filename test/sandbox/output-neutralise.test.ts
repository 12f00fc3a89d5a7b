import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inertJson, neutralise } from "../../runtime/cli/neutralise.js";
import { Domain } from "../../runtime/domain/domain.js";
import { CSV_NOTE, csvText, sealPackage } from "../../runtime/egress/package.js";
import { unpackTar } from "../../runtime/egress/tar.js";
import { newDomain } from "../helpers/fixture.js";

/** Output made inert for its reader (issue 12 item 7): terminals and spreadsheets. */
describe("terminal text", () => {
  const hostile = [
    ["ANSI escape (clear screen)", "a\u001b[2Jb"],
    ["OSC 8 hyperlink", "\u001b]8;;http://evil\u0007click\u001b]8;;\u0007"],
    ["C1 CSI", "a\u009b31mb"],
    ["right-to-left override", "invoice\u202Egpj.exe"],
    ["first-strong isolate", "a\u2068b\u2069"],
    ["carriage return overwriting the line", "ok\rFORGED"],
    ["backspaces", "secret\b\b\b\b\b\b"],
    ["line separator", "a\u2028b"],
  ];
  for (const [name, text] of hostile) {
    it(`${name} is neutralised`, () => {
      const out = neutralise(text);
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
      expect(out).toContain("\uFFFD");
    });
  }

  it("keeps Chinese text, tabs and newlines as they are", () => {
    expect(neutralise("按性别统计\t收入\n第二行")).toBe("按性别统计\t收入\n第二行");
  });

  it("JSON output stays the same value but carries no raw C1 or bidi character", () => {
    const value = { name: "a\u009bb\u202Ec" };
    const json = inertJson(JSON.stringify(value));
    expect(json).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe("CSV cells in packages", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let domain: Domain;
  beforeAll(async () => {
    env = await newDomain();
    domain = await Domain.open(env.dir);
  }, 60_000);
  afterAll(() => {
    domain?.close();
    env?.cleanup();
  });

  it("formula-like text cells and headers are quoted as text; numbers and the Parquet copy are unchanged", async () => {
    await domain.vault.run(`CREATE TABLE pkgtest AS SELECT * FROM (VALUES
      ('=HYPERLINK("http://evil","x")', -5, '+1'),
      ('@SUM(A1)', 3, '-2'),
      (chr(9) || 'tab', 0, chr(13) || 'cr'),
      ('plain', 1, '中文')) AS t("=cmd", n, s)`);
    const { path, manifest } = await sealPackage(domain, {
      product: "prd-csv-test", form: "dataset",
      scenario: { id: "sc", purpose: "p", agreement: "a", org: "o" },
      datasets: [], job: { id: "job", codeSm3: "0" }, desensitization: [], findings: [], reviewers: [], requestedBy: "x",
      tables: [{ name: "t", vaultTable: "pkgtest" }, { name: "表一", vaultTable: "pkgtest" }, { name: "表二", vaultTable: "pkgtest" }],
    });
    expect(manifest.csv).toBe(CSV_NOTE);
    const entries = unpackTar(readFileSync(path));
    const csv = Buffer.from(entries.find((e) => e.name === "data/t.csv")!.data).toString("utf8");
    // Rows are released in canonical order (sorted by every column), not the table's: find each by its content.
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe(`'=cmd,n,s`);
    const row = (has: string) => lines.slice(1).find((l) => l.includes(has)) ?? "";
    expect(row("HYPERLINK")).toContain(`'=HYPERLINK`);
    expect(row("HYPERLINK")).toContain(",-5,");
    expect(row("HYPERLINK")).toContain(`'+1`);
    expect(row("SUM")).toMatch(/^'@SUM\(A1\),3,'-2$/);
    expect(row("tab")).toContain(`'\ttab`);
    expect(row("plain")).toBe("plain,1,中文");
    expect(lines.length).toBe(5);
    // Two names of another script no longer overwrite each other's file.
    expect(entries.map((e) => e.name).filter((n) => n.endsWith(".csv"))).toEqual(["data/t.csv", "data/__.csv", "data/__-2.csv"]);
    expect(csvText("=1")).toBe("'=1");
    expect(csvText("1=")).toBe("1=");
  });
});
