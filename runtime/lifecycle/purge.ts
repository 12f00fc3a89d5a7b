/**
 * Purge that is complete and provable (GZ 26, HLJ 29, HB 18, ZJ 32(1)): when an
 * agreement ends (termination or expiry) or a scenario is revoked or expires, everything
 * the developer organisation held in the domain under it is deleted — libraries, sample
 * twins, staged outputs (files and vault tables), the gate's egress tables, the ledger's
 * tables, released packages in outbox/ — pending egress requests are rejected with the
 * reason, products are delisted, running jobs cancelled. A receipt listing every deleted
 * item with its SM3 and the counts goes into the audit chain and the control store.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { canonicalJson } from "../canonical-json.js";
import { now } from "../clock.js";
import { all, exec, ident, one } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { ensureLifecycleTables } from "./schema.js";
import { wipeFreeBlocks } from "./wipe.js";

/** One deleted thing and the SM3 of what it held. */
export interface PurgedItem {
  kind: "library" | "sample" | "staging" | "vault-table" | "package" | "ledger-rows";
  name: string;
  sm3: string;
  bytes?: number;
  rows?: number;
}

/** The purge receipt: what was deleted, rejected, revoked and delisted, with counts. */
export interface PurgeReceipt {
  id: string;
  cause: string;
  org: string;
  agreement?: string;
  scenarios: string[];
  at: string;
  items: PurgedItem[];
  cancelledJobs: string[];
  rejectedRequests: string[];
  delistedProducts: string[];
  delistedApiProducts: string[];
  revokedAccounts: string[];
  vaultWipe: { ok: boolean; blocks?: number; reason?: string };
  counts: Record<string, number>;
}

type Ctx = Pick<Session, "domain">;

const sanitize = (id: string) => id.replace(/[^A-Za-z0-9_]/g, "_");
const sm3 = (b: Buffer | string) => createHash("sm3").update(b).digest("hex");

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

/** Deletes a directory (or file) after recording each file's SM3. */
function removeFiles(s: Ctx, kind: PurgedItem["kind"], path: string, items: PurgedItem[]): void {
  for (const f of filesUnder(path)) {
    const data = readFileSync(f);
    items.push({ kind, name: relative(s.domain.paths.dir, f), sm3: sm3(data), bytes: data.length });
  }
  rmSync(path, { recursive: true, force: true });
}

async function vaultTables(s: Ctx): Promise<string[]> {
  return (await all<{ table_name: string }>(s.domain.vault, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'")).map((r) => r.table_name);
}

/** SM3 over a table's rows (canonical JSON lines, in storage order), then DROP. */
async function dropTable(s: Ctx, table: string, items: PurgedItem[]): Promise<void> {
  const reader = await s.domain.vault.runAndReadAll(`SELECT * FROM ${ident(table)}`);
  const h = createHash("sm3");
  const rows = reader.getRowObjectsJS();
  for (const r of rows) h.update(canonicalJson(JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))) + "\n");
  items.push({ kind: "vault-table", name: table, sm3: h.digest("hex"), rows: rows.length });
  await exec(s.domain.vault, `DROP TABLE IF EXISTS ${ident(table)}`);
}

/**
 * Everything one job left: staging files, staged tables (`stg_<job>_*`, named from the
 * job id with non-word characters as `_`), ledger tables (`led_<job>_*`, `lmap_<job>_*`,
 * rows of `led_queries`) and its egress requests' gate tables (`<request>_*`).
 */
async function purgeJob(s: Ctx, job: string, egressIds: string[], tables: string[], items: PurgedItem[]): Promise<void> {
  removeFiles(s, "staging", s.domain.paths.jobStaging(job), items);
  const j = sanitize(job);
  const prefixes = [`stg_${j}_`, `led_${j}_`, `lmap_${j}_`, ...egressIds.map((e) => `${sanitize(e)}_`)];
  for (const t of tables.filter((t) => prefixes.some((p) => t.startsWith(p)))) await dropTable(s, t, items);
  if (tables.includes("led_queries")) {
    const n = await one<{ n: bigint }>(s.domain.vault, "SELECT count(*) AS n FROM led_queries WHERE job = ?", [job]);
    if (Number(n?.n ?? 0) > 0) {
      items.push({ kind: "ledger-rows", name: `led_queries[job=${job}]`, sm3: sm3(JSON.stringify(await all(s.domain.vault, "SELECT sql_sm3, q FROM led_queries WHERE job = ? ORDER BY q", [job]), (_k, v) => (typeof v === "bigint" ? v.toString() : v))), rows: Number(n!.n) });
      await exec(s.domain.vault, "DELETE FROM led_queries WHERE job = ?", [job]);
    }
  }
}

/**
 * Purges the scenarios' data (libraries, samples, jobs, requests, products). Runs
 * inside the caller's mutation; the vault's free blocks are wiped at the end.
 */
async function purgeScenarioData(s: Ctx, scenarios: string[], reason: string, receipt: PurgeReceipt): Promise<void> {
  const items = receipt.items;
  const tables = await vaultTables(s);
  for (const sc of scenarios) {
    removeFiles(s, "library", s.domain.paths.library(sc), items);
    removeFiles(s, "sample", s.domain.paths.sampleLibrary(sc), items);
    const jobs = await all<{ id: string; state: string }>(s.domain.control, "SELECT id, state FROM jobs WHERE scenario = ? ORDER BY id", [sc]);
    for (const job of jobs) {
      const requests = await all<{ id: string; state: string; reviews: string; findings: string }>(s.domain.control, "SELECT id, state, reviews, findings FROM egress WHERE job = ?", [job.id]);
      await purgeJob(s, job.id, requests.map((r) => r.id), tables, items);
      if (job.state === "running" || job.state === "queued") {
        await s.domain.control.run("UPDATE jobs SET state = 'cancelled', reason = 'PURGED', finished_at = ?::TIMESTAMP WHERE id = ?", [now().toISOString(), job.id]);
        receipt.cancelledJobs.push(job.id);
      }
      await s.domain.control.run("UPDATE jobs SET outputs = NULL WHERE id = ?", [job.id]);
      for (const r of requests) {
        // Findings may quote cells of the output: only rule and severity are kept.
        const findings = (JSON.parse(r.findings) as { rule: string; severity: string }[]).map((f) => ({ rule: f.rule, severity: f.severity, detail: "purged" }));
        const pending = ["submitted", "checked", "approved", "returned"].includes(r.state);
        const reviews = JSON.parse(r.reviews) as unknown[];
        if (pending) {
          reviews.push({ by: "system", org: "operator", decision: "reject", reason, at: now().toISOString(), findingsSm3: "" });
          receipt.rejectedRequests.push(r.id);
        }
        await s.domain.control.run("UPDATE egress SET state = ?, findings = ?, reviews = ?, decided_at = coalesce(decided_at, ?::TIMESTAMP) WHERE id = ?", [
          pending ? "rejected" : r.state, JSON.stringify(findings), JSON.stringify(reviews), now().toISOString(), r.id,
        ]);
      }
    }
    for (const p of await all<{ id: string; package: string; state: string }>(s.domain.control, "SELECT id, package, state FROM products WHERE scenario = ?", [sc])) {
      removeFiles(s, "package", p.package, items);
      if (p.state !== "delisted") receipt.delistedProducts.push(p.id);
    }
    await s.domain.control.run("UPDATE products SET state = 'delisted' WHERE scenario = ?", [sc]);
    for (const p of await all<{ id: string }>(s.domain.control, "SELECT id FROM api_products WHERE scenario = ? AND state <> 'delisted'", [sc])) receipt.delistedApiProducts.push(p.id);
    await s.domain.control.run("UPDATE api_products SET state = 'delisted' WHERE scenario = ?", [sc]);
  }
  receipt.vaultWipe = await wipeFreeBlocks(s.domain.vault);
}

function newReceipt(cause: string, org: string, scenarios: string[], agreement?: string): PurgeReceipt {
  return {
    id: `prg-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`,
    cause, org, ...(agreement ? { agreement } : {}), scenarios, at: now().toISOString(), items: [],
    cancelledJobs: [], rejectedRequests: [], delistedProducts: [], delistedApiProducts: [], revokedAccounts: [], vaultWipe: { ok: false }, counts: {},
  };
}

async function record(s: Ctx, actor: string, r: PurgeReceipt): Promise<PurgeReceipt> {
  r.counts = {
    files: r.items.filter((i) => i.kind !== "vault-table" && i.kind !== "ledger-rows").length,
    bytes: r.items.reduce((a, i) => a + (i.bytes ?? 0), 0),
    vaultTables: r.items.filter((i) => i.kind === "vault-table").length,
    rows: r.items.reduce((a, i) => a + (i.rows ?? 0), 0),
    scenarios: r.scenarios.length,
    cancelledJobs: r.cancelledJobs.length,
    rejectedRequests: r.rejectedRequests.length,
    delistedProducts: r.delistedProducts.length + r.delistedApiProducts.length,
    revokedAccounts: r.revokedAccounts.length,
  };
  await ensureLifecycleTables(s.domain.control);
  const text = canonicalJson(r);
  const digest = sm3(text);
  await s.domain.control.run("INSERT INTO purge_receipts VALUES (?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMP, ?)", [
    r.id, r.cause, r.agreement ?? null, r.scenarios.length === 1 && !r.agreement ? r.scenarios[0] : null, r.org, text, digest, r.at, actor,
  ]);
  await s.domain.audit({ actor, action: "purge.receipt", object: r.agreement ? `agreement:${r.agreement}` : `scenario:${r.scenarios[0]}`, details: { receipt: r, receiptSm3: digest } });
  return r;
}

/**
 * Purges what an ended agreement covered and, when the organisation holds no other live
 * agreement, revokes its accounts (an account belongs to the organisation, which may
 * still work under another agreement: HLJ 29 closes the permissions of the ended one).
 */
export async function purgeAgreement(s: Ctx, agreement: string, cause: string, actor: string): Promise<PurgeReceipt> {
  const a = (await one<{ org: string }>(s.domain.control, "SELECT org FROM agreements WHERE id = ?", [agreement]))!;
  const scenarios = (await all<{ id: string }>(s.domain.control, "SELECT id FROM scenarios WHERE agreement = ? ORDER BY id", [agreement])).map((r) => r.id);
  await s.domain.control.run("UPDATE scenarios SET state = 'revoked', reason = ? WHERE agreement = ? AND state NOT IN ('rejected','revoked','expired')", [`agreement ${cause}`, agreement]);
  const receipt = newReceipt(cause, a.org, scenarios, agreement);
  await purgeScenarioData(s, scenarios, `agreement ${agreement} ${cause}: the request can no longer be released (HLJ 29, ZJ 32)`, receipt);
  const live = await one(s.domain.control, "SELECT 1 FROM agreements WHERE org = ? AND id <> ? AND state IN ('active','suspended')", [a.org, agreement]);
  if (!live) {
    receipt.revokedAccounts = (await all<{ id: string }>(s.domain.control, "SELECT id FROM accounts WHERE org = ? AND state = 'active' ORDER BY id", [a.org])).map((r) => r.id);
    await s.domain.control.run("UPDATE accounts SET state = 'revoked' WHERE org = ? AND state = 'active'", [a.org]);
  }
  return record(s, actor, receipt);
}

/** Purges one revoked or expired scenario's library, sample, jobs' data, requests and products. */
export async function purgeScenario(s: Ctx, scenario: string, cause: string, actor: string): Promise<PurgeReceipt> {
  const sc = (await one<{ org: string; agreement: string }>(s.domain.control, "SELECT org, agreement FROM scenarios WHERE id = ?", [scenario]))!;
  const receipt = newReceipt(cause, sc.org, [scenario]);
  await purgeScenarioData(s, [scenario], `scenario ${scenario} ${cause}: the request can no longer be released`, receipt);
  return record(s, actor, receipt);
}

/** The purge receipts of an agreement (or of its scenarios), newest last. */
export async function purgeReceipts(s: Ctx, filter: { agreement?: string; org?: string } = {}): Promise<(PurgeReceipt & { sm3: string })[]> {
  await ensureLifecycleTables(s.domain.control);
  const rows = await all<{ receipt: string; receipt_sm3: string }>(
    s.domain.control,
    "SELECT receipt, receipt_sm3 FROM purge_receipts WHERE (?::VARCHAR IS NULL OR agreement = ? OR scenario IN (SELECT id FROM scenarios WHERE agreement = ?)) AND (?::VARCHAR IS NULL OR org = ?) ORDER BY purged_at, id",
    [filter.agreement ?? null, filter.agreement ?? null, filter.agreement ?? null, filter.org ?? null, filter.org ?? null],
  );
  return rows.map((r) => ({ ...(JSON.parse(r.receipt) as PurgeReceipt), sm3: r.receipt_sm3 }));
}
