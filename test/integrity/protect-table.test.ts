import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { readEntries } from "../../runtime/audit/chain.js";
import { Domain } from "../../runtime/domain/domain.js";
import { protectTable } from "../../runtime/domain/row-codec.js";
import { newDomain } from "../helpers/fixture.js";

/** Edits the control store directly, as someone with the folder but without shuyu would. */
async function edit(dir: string, ...statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(join(dir, "control.duckdb"));
  const c = await db.connect();
  for (const s of statements) await c.run(s);
  c.closeSync();
  db.closeSync();
}

/**
 * The one-line opt-in for a new control table (runtime/domain/README.md): a domain that
 * already holds rows of the table seals them as found at its first writer open (audited),
 * and from then on every edit outside shuyu is CONTROL_TAMPERED.
 */
describe("protectTable: a table opted in later is sealed once, then authenticated", () => {
  let d: Awaited<ReturnType<typeof newDomain>>;
  afterAll(() => d?.cleanup());

  it("rows found at the first open after the opt-in are sealed and audited; later edits, inserts and deletions are refused", async () => {
    d = await newDomain();
    // A table an earlier shuyu created and filled, before it was protected.
    await edit(d.dir, "CREATE TABLE lab_notes (id VARCHAR PRIMARY KEY, note VARCHAR)", "INSERT INTO lab_notes VALUES ('n1', '第一条'), ('n2', '第二条')");
    protectTable("lab_notes", ["id"]);
    const first = await Domain.open(d.dir);
    first.close();
    const sealed = readEntries(join(d.dir, "audit", "chain.jsonl")).filter((e) => e.action === "control.seal");
    expect(sealed.map((e) => e.details)).toContainEqual(expect.objectContaining({ tables: { lab_notes: 2 } }));
    // Sealed once: the next open has nothing to seal.
    (await Domain.open(d.dir)).close();
    expect(readEntries(join(d.dir, "audit", "chain.jsonl")).filter((e) => e.action === "control.seal")).toHaveLength(sealed.length);
    // A write through shuyu is sealed at its commit and opens cleanly.
    const w = await Domain.open(d.dir);
    await w.mutate(() => w.control.run("INSERT INTO lab_notes VALUES ('n3', '第三条')"));
    w.close();
    (await Domain.open(d.dir)).close();

    for (const [what, statement, problem] of [
      ["edited", "UPDATE lab_notes SET note = '改过' WHERE id = 'n1'", "edited"],
      ["inserted", "INSERT INTO lab_notes VALUES ('n9', '塞进来')", "inserted"],
      ["deleted", "DELETE FROM lab_notes WHERE id = 'n2'", "deleted"],
      // Dropping the table from the sealed list (to have it "sealed as found" again) edits a MAC'd meta row.
      ["unlisted", "UPDATE meta SET value = '[]' WHERE key = 'sealed_tables'", "edited"],
    ] as const) {
      const backup = join(d.dir, "..", "control.backup");
      // The store is closed (and checkpointed): a plain file copy is consistent.
      copyFileSync(join(d.dir, "control.duckdb"), backup);
      await edit(d.dir, statement);
      await expect(Domain.open(d.dir), what).rejects.toMatchObject({ code: "CONTROL_TAMPERED", details: { rows: [expect.objectContaining({ problem })] } });
      copyFileSync(backup, join(d.dir, "control.duckdb"));
      (await Domain.open(d.dir)).close();
    }
  }, 120_000);
});
