import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { SECRET_VARIABLE, subjectIdSql } from "../../policies/subjects/index.js";
import type { LibraryView } from "../../sandbox/index.js";
import type { Library } from "../sandbox/fixtures.js";

const SID = subjectIdSql(["pid"], "person");

/**
 * People with several rows per person (a person who moved has one row per address),
 * and their tax records; every file carries the hidden `__sid` computed as library
 * materialisation computes it (`subjectIdSql` under a test secret).
 */
export const PEOPLE_SQL = `
  SELECT pid, name, city, income::DOUBLE AS income, age, ${SID} AS __sid FROM (VALUES
    ('p1', '张三', '北京', 100, 30), ('p1', '张三', '北京', 100, 30), ('p1', '张三', '北京', 100, 30),
    ('p2', '李四', '北京', 200, 40),
    ('p3', '王五', '上海', 300, 50), ('p3', '王五', '上海', 310, 50),
    ('p4', '赵六', '上海', 400, 60),
    ('p5', '钱七', '上海', 500, 70),
    ('p6', '孙八', '广州', 600, 80)
  ) t(pid, name, city, income, age)`;

export const TAX_SQL = `
  SELECT pid, tax::DOUBLE AS tax, ${SID} AS __sid FROM (VALUES
    ('p1', 10), ('p2', 20), ('p3', 30), ('p3', 31), ('p5', 50), ('p6', 60)
  ) t(pid, tax)`;

/** True distinct people per city in PEOPLE_SQL. */
export const PEOPLE_PER_CITY: Record<string, number> = { 北京: 2, 上海: 3, 广州: 1 };

/** A library of `people` and `tax` whose views name the sid and the subject key (as the subject helper's manifest will). */
export async function makeSubjectLibrary(root: string, name = "lib"): Promise<Library> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run(`SET VARIABLE ${SECRET_VARIABLE} = 'test-subject-secret'`);
  const lib: Library = { dir, views: [] };
  for (const [view, select] of Object.entries({ people: PEOPLE_SQL, tax: TAX_SQL })) {
    const file = join(dir, `${view}.parquet`);
    await conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    const cols = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    lib.views.push({ name: view, file, columns: cols.getRows().map((r) => String(r[0])) });
  }
  conn.closeSync();
  instance.closeSync();
  const views: LibraryView[] = lib.views.map((v) => ({
    ...v,
    columns: v.columns.filter((c) => c !== "__sid"),
    dataset: `ds_${v.name}`,
    sidColumn: "__sid",
    subject: { kind: "person", columns: ["pid"] },
    roles: Object.fromEntries(v.columns.filter((c) => c !== "__sid").map((c) => [c, c === "pid" || c === "name" ? "identifier" : c === "city" || c === "age" ? "quasi" : "measure"])),
  }));
  return { dir: lib.dir, views };
}
