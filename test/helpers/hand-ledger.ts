/**
 * Stands in for the ledger branch until it lands on main (CONTRACT.md "Accounted queries and
 * the ledger"): accounts a succeeded job's staged GROUP BY table by hand over the dataset's
 * vault table — `led_queries`, `led_<J>_q0`, `led_<J>_q0_subjects`, `lmap_<J>_<part>` exactly as
 * the contract names them — and writes the staging mark into the job's parts. The gate then
 * reads them as it will read the real ledger. Subject ids are hashed from the subject key.
 */
import { ledgerNames } from "../../runtime/services/egress.js";
import type { Session } from "../../runtime/services/session.js";
import { ledgerAggregate, markTable, type AggSpec, type GroupSpec } from "../disclosure/gate-ledger-fixture.js";

export interface HandAggregate {
  dataset: string;
  subject: string;
  groups: GroupSpec[];
  aggs: AggSpec[];
  where?: string;
}

/** Accounts table part `part` of job `job` (the job's only query) as the aggregate `spec`; returns the mark kind staging would give it. */
export async function accountByHand(s: Session, job: string, part: string, spec: HandAggregate): Promise<string> {
  const vault = s.domain.vault;
  const ds = (await (await s.domain.control.runAndReadAll("SELECT vault_table FROM datasets WHERE id = $1 ORDER BY version DESC LIMIT 1", [spec.dataset])).getRowObjectsJS())[0];
  const { table } = ledgerNames(job, 0);
  const id = table.slice("led_".length, -"_q0".length);
  const from = `(SELECT *, CAST(hash(CAST("${spec.subject}" AS VARCHAR)) >> 4 AS BIGINT) AS __sid FROM "${String(ds.vault_table)}")`;
  const led = await ledgerAggregate(vault, id, { from, groups: spec.groups, aggs: spec.aggs, dataset: spec.dataset, where: spec.where });
  await vault.run(`CREATE TABLE IF NOT EXISTS led_queries (job VARCHAR, q INTEGER, sql_sm3 VARCHAR, kind VARCHAR, reason VARCHAR, meta JSON, rows BIGINT)`);
  await vault.run(`INSERT INTO led_queries VALUES ($1, 0, '', 'aggregate', '', $2, 0)`, [job, JSON.stringify({ columns: led.columns })]);
  const r = await s.domain.control.runAndReadAll("SELECT outputs FROM jobs WHERE id = $1", [job]);
  const parts = JSON.parse(String(r.getRowObjectsJS()[0].outputs)) as { kind: string; name: string; table?: string; mark?: unknown }[];
  const p = parts.find((x) => x.kind === "table" && x.name === part)!;
  const mark = await markTable(vault, p.table!, "rowid", led, "accounted-aggregate", `lmap_${id}_${part}`);
  p.mark = { kind: mark.kind, ...(mark.kind === "computed" ? {} : { query: 0, columns: mark.columns, map: mark.map }) };
  await s.domain.control.run("UPDATE jobs SET outputs = $1 WHERE id = $2", [JSON.stringify(parts), job]);
  return mark.kind;
}
