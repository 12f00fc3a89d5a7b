/**
 * Measurements that need a real domain: ingest (CSV, Parquet), sample generation, scenario
 * library materialisation, desensitization, the egress check suite and package sealing —
 * each through the service functions on a scratch domain, next to the plain DuckDB (or
 * host-side) operation that does the same data movement without shuyu's checks.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { BenchRow } from "../../benches/types.js";
import { applyPolicy } from "../../policies/desensitize/index.js";
import { runChecks, type OutputTable } from "../../policies/disclosure/index.js";
import { authenticate } from "../auth/authenticate.js";
import { today } from "../clock.js";
import { Domain } from "../domain/domain.js";
import { initDomain } from "../domain/init.js";
import { literal } from "../domain/db.js";
import { sealPackage } from "../egress/package.js";
import { addAccount } from "../services/accounts.js";
import { addAgreement, addYears } from "../services/agreements.js";
import { showCatalog } from "../services/catalog.js";
import { ingestDataset, tagColumn } from "../services/datasets.js";
import { addOrg } from "../services/orgs.js";
import { setSubjectKey } from "../services/subjects.js";
import { approveScenario, submitScenario } from "../services/scenarios.js";
import type { Session } from "../services/session.js";

/** A figure with a key that does not change with the row count (the scaling curve joins on it). */
export type KeyedRow = BenchRow & { key: string };

/** A scratch domain with an admin, a provider and a developer. */
export interface Scratch {
  dir: string;
  domain: Domain;
  admin: Session;
  provider: Session;
  developer: Session;
  yard: { instance: DuckDBInstance; conn: DuckDBConnection };
}

/** Creates the scratch domain (and a separate on-disk DuckDB for the yardsticks) under `dir`. */
export async function openScratch(dir: string): Promise<Scratch> {
  const init = await initDomain({ dir: join(dir, "domain"), operator: "bench operator" });
  const domain = await Domain.open(join(dir, "domain"));
  const admin: Session = { domain, principal: await authenticate(domain, init.token) };
  await addOrg(admin, { id: "prov", name: "bench provider", kind: "provider" });
  await addOrg(admin, { id: "dev", name: "bench developer", kind: "developer" });
  const p = await addAccount(admin, { id: "p", name: "provider", org: "prov", roles: ["provider"] });
  const d = await addAccount(admin, { id: "d", name: "developer", org: "dev", roles: ["developer"] });
  const instance = await DuckDBInstance.create(join(dir, "yardstick.duckdb"));
  return {
    dir, domain, admin,
    provider: { domain, principal: await authenticate(domain, p.token) },
    developer: { domain, principal: await authenticate(domain, d.token) },
    yard: { instance, conn: await instance.connect() },
  };
}

/** Closes the scratch domain and the yardstick database. */
export function closeScratch(s: Scratch): void {
  s.yard.conn.closeSync();
  s.yard.instance.closeSync();
  s.domain.close();
}

const COLUMNS = ["id_number", "mobile", "gender", "age", "district", "income", "diagnosis"];
const TAGS: Record<string, string[]> = {
  id_number: ["pii:resident_id"], mobile: ["pii:mobile"], gender: ["quasi"], age: ["quasi"], district: ["quasi"], diagnosis: ["sensitive"],
};

/** Writes n people-shaped rows as CSV and Parquet, generated in SQL (fast enough for 100 M rows). */
async function writeSource(dir: string, n: number): Promise<{ csv: string; parquet: string }> {
  const inst = await DuckDBInstance.create(":memory:", { memory_limit: "1GB", temp_directory: join(dir, "tmp") });
  const conn = await inst.connect();
  const csv = join(dir, `people_${n}.csv`);
  const parquet = join(dir, `people_${n}.parquet`);
  try {
    const select = `SELECT
        (['520102','520103','520111','520112','110105','330106','440305','510107'])[1 + i % 8] || strftime(DATE '1950-01-01' + CAST(i * 7 % 20000 AS INTEGER), '%Y%m%d')
          || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') || (['0','1','2','3','4','5','6','7','8','9','X'])[1 + i % 11] AS id_number,
        '1' || (['38','39','58','86'])[1 + i % 4] || lpad(CAST((i * 7919) % 100000000 AS VARCHAR), 8, '0') AS mobile,
        (['男','女'])[1 + (i // 3) % 2] AS gender,
        CAST(18 + i * 31 % 60 AS INTEGER) AS age,
        (['520102','520103','520111','520112','110105','330106','440305','510107'])[1 + i % 8] AS district,
        CAST(2000 + (i * 104729) % 20000 AS INTEGER) AS income,
        (['高血压','2型糖尿病','冠心病','哮喘',''])[1 + (i * 13) % 5] AS diagnosis
      FROM range(${n}) t(i)`;
    await conn.run(`COPY (${select}) TO ${literal(csv)} (FORMAT csv, HEADER true)`);
    await conn.run(`COPY (SELECT * FROM read_csv(${literal(csv)}, types = {'id_number': 'VARCHAR', 'mobile': 'VARCHAR', 'district': 'VARCHAR'})) TO ${literal(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  return { csv, parquet };
}

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

const fmtRows = (n: number) => (n >= 1e6 ? `${n / 1e6} M` : `${n / 1e3} k`);

/**
 * One step of the scaling curve: ingest CSV and Parquet, materialise a scenario library,
 * desensitize and check a record-level extract, all at `n` rows. With `headline`, also the
 * fixed-size figures (sample generation, package sealing) measured on this step's data.
 */
export async function measureStep(s: Scratch, n: number, opts: { headline: boolean; step?: () => void }): Promise<KeyedRow[]> {
  const tick = opts.step ?? (() => undefined);
  const { csv, parquet } = await writeSource(s.dir, n);
  const csvMb = statSync(csv).size / 1e6;
  const pqMb = statSync(parquet).size / 1e6;
  const label = fmtRows(n);
  const rows: KeyedRow[] = [];
  const idCsv = `p${n}c`;
  const idPq = `p${n}q`;

  const yardCsv = await seconds(() => s.yard.conn.run(`CREATE OR REPLACE TABLE bare AS SELECT * FROM read_csv(${literal(csv)})`));
  const oursCsv = await seconds(() => ingestDataset(s.admin, { id: idCsv, file: csv, provider: "prov", grade: 3 }));
  rows.push({ key: "ingest_csv_rows", name: `ingest CSV ${label} rows`, value: n / oursCsv, unit: "rows/s", yardstick: "DuckDB read_csv CTAS, no checks", yardstickValue: n / yardCsv, ratio: yardCsv / oursCsv });
  rows.push({ key: "ingest_csv_bytes", name: `ingest CSV ${label} rows, bytes`, value: csvMb / oursCsv, unit: "MB/s", yardstick: "DuckDB read_csv CTAS, no checks", yardstickValue: csvMb / yardCsv, ratio: yardCsv / oursCsv });
  tick();
  const yardPq = await seconds(() => s.yard.conn.run(`CREATE OR REPLACE TABLE bare AS SELECT * FROM read_parquet(${literal(parquet)})`));
  const oursPq = await seconds(() => ingestDataset(s.admin, { id: idPq, file: parquet, provider: "prov", grade: 3 }));
  rows.push({ key: "ingest_parquet_rows", name: `ingest Parquet ${label} rows`, value: n / oursPq, unit: "rows/s", yardstick: "DuckDB read_parquet CTAS, no checks", yardstickValue: n / yardPq, ratio: yardPq / oursPq });
  rows.push({ key: "ingest_parquet_bytes", name: `ingest Parquet ${label} rows, bytes`, value: pqMb / oursPq, unit: "MB/s", yardstick: "DuckDB read_parquet CTAS, no checks", yardstickValue: pqMb / yardPq, ratio: yardPq / oursPq });
  await s.yard.conn.run("DROP TABLE IF EXISTS bare");
  tick();
  for (const c of Object.keys(TAGS)) await tagColumn(s.admin, { dataset: idCsv, column: c, tags: TAGS[c] });
  await setSubjectKey(s.admin, { dataset: idCsv, columns: ["id_number"], kind: "person" });

  // Library: approval materialises the granted columns (Parquet + SM3) and the sample twin.
  const start = today();
  await addAgreement(s.admin, { id: `agr-${n}`, org: "dev", datasets: [idCsv], start, end: addYears(start, 1) });
  await submitScenario(s.developer, { id: `sc-${n}`, purpose: "capacity benchmark of library materialisation", grants: [`${idCsv}:${COLUMNS.join(",")}`] });
  await approveScenario(s.admin, `sc-${n}`);
  const vaultTable = `ds_${idCsv}_v1`;
  const oursLib = await seconds(() => approveScenario(s.provider, `sc-${n}`));
  const yardLib = await seconds(() => s.domain.vault.run(`COPY (SELECT ${COLUMNS.join(", ")} FROM ${vaultTable}) TO ${literal(join(s.dir, "host-lib.parquet"))} (FORMAT parquet, COMPRESSION zstd)`));
  rows.push({ key: "library_materialisation", name: `scenario library materialisation ${label} rows`, value: n / oursLib, unit: "rows/s", yardstick: "host-side COPY of the granted columns to Parquet", yardstickValue: n / yardLib, ratio: yardLib / oursLib });
  tick();

  // Desensitization of a record-level extract, then the full check suite on it.
  const policy = { columns: { id_number: { method: "drop" }, mobile: { method: "mask", keepFirst: 3, keepLast: 0 }, age: { method: "generalize_age", band: 10 }, district: { method: "generalize_region", to: "province" } } };
  const out = `bench_out_${n}`;
  const plain = await seconds(() => s.domain.vault.run(`CREATE OR REPLACE TABLE plain_${n} AS SELECT * FROM ${vaultTable}`));
  const masked = await seconds(() => applyPolicy(s.domain.vault, vaultTable, out, policy, { secret: randomBytes(32) }));
  await s.domain.vault.run(`DROP TABLE plain_${n}`);
  rows.push({ key: "desensitization", name: `desensitization ${label} rows (drop, mask, generalize)`, value: n / masked, unit: "rows/s", yardstick: "plain CTAS of the same table", yardstickValue: n / plain, ratio: plain / masked });
  const described = (await s.domain.vault.runAndReadAll(`DESCRIBE ${out}`)).getRowObjectsJS();
  // The gate judges accounted outputs: this extract stands for a row selection, one subject per row, with the
  // row number and subject id the gate attaches when it builds the output (not timed here; benches/egress.bench.ts times it).
  await s.domain.vault.run(`CREATE OR REPLACE TABLE ${out}_acc AS SELECT *, rowid AS __out_row, CAST(hash(rowid, 'sid') >> 4 AS BIGINT) AS __sid FROM ${out}`);
  const cols = described.map((c) => ({ name: String(c.column_name), type: String(c.column_type) }));
  const outTable: OutputTable = {
    name: `${out}_acc`, sidColumn: "__sid",
    columns: [...cols, { name: "__out_row", type: "BIGINT" }, { name: "__sid", type: "BIGINT" }],
    mark: { kind: "accounted-rows", query: 0, map: `${out}_acc`, ledger: { table: `${out}_acc`, subjects: `${out}_acc`, columns: cols.map((c) => ({ name: c.name, role: "plain" as const })) } },
  };
  const raw = COLUMNS.map((c) => ({ table: vaultTable, column: c, tags: TAGS[c] ?? [] }));
  const scan = await seconds(() => s.domain.vault.run(`SELECT ${outTable.columns.map((c) => `max("${c.name}")`).join(", ")} FROM ${out}_acc`));
  const check = await seconds(() => runChecks({ conn: s.domain.vault, form: "dataset", outputTables: [outTable], raw }));
  const perM = 1e6 / n;
  rows.push({ key: "egress_checks_per_million_rows", name: `egress check suite, time per million rows (at ${label})`, value: check * perM * 1000, unit: "ms", yardstick: "one scan of every output column", yardstickValue: scan * perM * 1000, ratio: scan / check });
  tick();

  if (opts.headline) {
    const yardSample = await seconds(() => s.domain.vault.run(`SELECT * FROM ${vaultTable} USING SAMPLE 100 ROWS`));
    const oursSample = await seconds(() => showCatalog(s.developer, idCsv, { sample: true, rows: 100 }));
    rows.push({ key: "sample_generation_100_rows", name: `sample generation, 100 desensitized rows of ${label}`, value: oursSample * 1000, unit: "ms", yardstick: "DuckDB USING SAMPLE 100 ROWS", yardstickValue: yardSample * 1000, ratio: yardSample / oursSample });
    const productId = `bench-${n}`;
    let bytes = 0;
    const oursSeal = await seconds(async () => {
      // Packages are written inside a transaction (the write protocol): renamed into outbox/ at its commit.
      const r = await s.domain.mutate(() => sealPackage(s.domain, {
        product: productId, form: "dataset", scenario: { id: `sc-${n}`, purpose: "bench", agreement: `agr-${n}`, org: "dev" }, datasets: [{ dataset: idCsv, columns: COLUMNS }],
        job: { id: "bench", codeSm3: "0".repeat(64) }, desensitization: policy, findings: [], reviewers: [], requestedBy: "d", tables: [{ name: "extract", vaultTable: out }],
      }));
      bytes = readFileSync(r.path).length;
    });
    const yardSeal = await seconds(async () => {
      await s.domain.vault.run(`COPY ${out} TO ${literal(join(s.dir, "plain.parquet"))} (FORMAT parquet, COMPRESSION zstd)`);
      await s.domain.vault.run(`COPY ${out} TO ${literal(join(s.dir, "plain.csv"))} (FORMAT csv, HEADER true)`);
    });
    const mb = bytes / 1e6;
    rows.push({ key: "package_sealing", name: `package sealing (${mb.toFixed(0)} MB: SM3 per file, SM2 seal, tar)`, value: mb / oursSeal, unit: "MB/s", yardstick: "DuckDB COPY of the same data files, unsealed", yardstickValue: mb / yardSeal, ratio: yardSeal / oursSeal });
    tick();
  }
  await s.domain.vault.run(`DROP TABLE IF EXISTS ${out}`);
  return rows;
}
