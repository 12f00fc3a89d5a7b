import { createHash } from "node:crypto";
import { describeTable } from "../desensitize/apply.js";
import { materializeHostMapping } from "../desensitize/host-map.js";
import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext } from "./context.js";
import { digitShiftSql } from "./normalize.js";
import { rawColumnFacts } from "./raw-facts.js";
import type { RawColumnRef } from "./types.js";

/** PII types whose value space is small enough to enumerate, so an unsalted hash of them is reversible. */
export const LOW_ENTROPY_TYPES = ["resident_id", "mobile", "bank_card", "uscc", "plate"] as const;

/** Sensitive text columns at least this distinct (distinct/non-null) act as identifiers (free text, exact amounts). */
const IDENTIFYING_SENSITIVE_RATIO = 0.5;

/** One group of matches: values of probe `tbl.col` equal to raw `src` values under encoding `how`. */
export interface EncodingHit {
  tbl: string;
  col: string;
  src: string;
  how: string;
  n: number;
  sample: string[];
}

/** A raw column whose values are searched for in output. */
interface Searchable {
  ref: RawColumnRef;
  label: string;
  minLen: number;
  /** Identifying sensitive text: searched verbatim only, no encodings. */
  verbatimOnly: boolean;
}

async function columnType(ctx: CheckContext, ref: RawColumnRef): Promise<string> {
  const cols = await ctx.once(`describe:${ref.table}`, () => describeTable(ctx.conn, ref.table));
  return cols.find((c) => c.name === ref.column)?.type ?? "VARCHAR";
}

/** Identifier columns, plus sensitive text columns so distinct that a verbatim value singles a person out. */
function searchable(ctx: CheckContext): Promise<Searchable[]> {
  return ctx.once("searchable", async () => {
    const out: Searchable[] = [];
    for (const ref of ctx.input.raw) {
      const label = `${ref.table}.${ref.column}`;
      if (ref.tags.some((t) => t.startsWith("pii:"))) {
        const minLen = ref.tags.includes("pii:person_name") ? 2 : ctx.thresholds.minIdentifierLength;
        out.push({ ref, label, minLen, verbatimOnly: false });
        continue;
      }
      if (!ref.tags.includes("sensitive") || (await columnType(ctx, ref)).toUpperCase() !== "VARCHAR") continue;
      // Exact distinct counts, cached per dataset version (raw-facts.ts): no approximation in a blocking rule.
      const f = await rawColumnFacts(ctx, ref.table, ref.column, true);
      if (f.nonNull > 0 && f.distinct / f.nonNull >= IDENTIFYING_SENSITIVE_RATIO) {
        out.push({ ref, label, minLen: ctx.thresholds.minIdentifierLength, verbatimOnly: true });
      }
    }
    return out;
  });
}

/** Raw values of one column as text, filtered by length (not yet lower-cased). */
function rawText(s: Searchable): string {
  const o = `CAST(${quoteIdent(s.ref.column)} AS VARCHAR)`;
  return `SELECT ${o} AS o FROM ${quoteTable(s.ref.table)} WHERE length(${o}) >= ${s.minLen}`;
}

function hits(rows: Record<string, unknown>[]): EncodingHit[] {
  return rows.map((h) => ({
    tbl: String(h.tbl),
    col: String(h.col),
    src: String(h.src),
    how: String(h.how),
    n: Number(h.n),
    sample: (h.sample as unknown[]).map(String),
  }));
}

async function lengths(ctx: CheckContext, probe: string, where: string): Promise<number[]> {
  return (await ctx.rows(`SELECT DISTINCT length(v) AS l FROM (${probe}) p WHERE ${where}`)).map((r) => Number(r.l));
}

/**
 * Values of `probe` (a relation with columns tbl, col, v — v canonical, normalize.ts) that
 * equal a raw identifier value verbatim or under a simple encoding: reversed, digit shift
 * +1…+9, hex, base64; case and full-width variants are covered by the canonical form.
 *
 * Reversal and digit shifts are undone on the probe side — output values are few once
 * desensitized, and each raw column is then read once, probing a small hash table. Hex and
 * base64 are computed on the raw side, only when the probe holds hex- or base64-shaped values,
 * and only for raw values whose encoded length occurs among them. Raw values are compared
 * lower-cased (not width-folded: the vault stores identifiers half-width).
 */
export async function encodingMatches(ctx: CheckContext, probe: string): Promise<EncodingHit[]> {
  const cols = await searchable(ctx);
  if (cols.length === 0) return [];
  const { name: candName, ref: cand } = ctx.tempTable("cand");
  const p = `(${probe})`;
  const parts = [`SELECT tbl, col, v, v AS c, 'verbatim' AS how FROM ${p} p`, `SELECT tbl, col, v, reverse(v), 'reversed' FROM ${p} p`];
  // Only [0-9a-z] strings with a digit can be digit-shifted identifiers.
  const shiftable = `length(v) BETWEEN ${ctx.thresholds.minIdentifierLength} AND 64 AND regexp_full_match(v, '[0-9a-z]*[0-9][0-9a-z]*')`;
  for (let k = 1; k <= 9; k++) parts.push(`SELECT tbl, col, v, ${digitShiftSql("v", 10 - k)}, 'digits+${k}' FROM ${p} p WHERE ${shiftable}`);
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(candName)} AS ${parts.join(" UNION ALL ")}`);

  // Encodings of the shortest searchable raw value set the floor: a 6-character value is 12 hex digits, 8 base64 characters.
  const shortest = Math.min(...cols.map((c) => c.minLen));
  const hexLens = await lengths(ctx, probe, `length(v) >= ${2 * shortest} AND regexp_full_match(v, '([0-9a-f]{2})+')`);
  const b64Lens = await lengths(
    ctx,
    probe,
    `length(v) >= ${4 * Math.ceil(shortest / 3)} AND length(v) % 4 = 0 AND regexp_full_match(v, '[0-9a-z+/]+={0,2}')`,
  );
  const out: EncodingHit[] = [];
  const candLens = (await ctx.rows(`SELECT DISTINCT length(c) AS l FROM ${cand}`)).map((r) => Number(r.l));
  for (const s of cols) {
    const src = quoteLiteral(s.label);
    // Raw-side facts (cached per dataset version): skip reading a raw column no candidate could equal.
    const facts = await rawColumnFacts(ctx, s.ref.table, s.ref.column);
    const lo = Math.max(facts.minLen, s.minLen);
    const within = (lens: number[], min: number, max: number) => lens.some((l) => l >= min && l <= max);
    // Lengths are characters; hex and base64 encode UTF-8 bytes (1–4 per character).
    const possible =
      within(candLens, lo, facts.maxLen) ||
      (!s.verbatimOnly && (within(hexLens, 2 * lo, 8 * facts.maxLen) || within(b64Lens, 4 * Math.ceil(lo / 3), 4 * Math.ceil((4 * facts.maxLen) / 3))));
    if (!possible) continue;
    out.push(
      ...hits(
        await ctx.rows(
          `SELECT c.tbl, c.col, ${src} AS src, c.how, count(DISTINCT c.v) AS n, list(DISTINCT c.v)[1:3] AS sample
           FROM ${cand} c JOIN (SELECT DISTINCT lower(o) AS rv FROM (${rawText(s)})
             WHERE length(o) IN (SELECT DISTINCT length(c) FROM ${cand}) AND lower(o) IN (SELECT c FROM ${cand})) r ON r.rv = c.c
           ${s.verbatimOnly ? "WHERE c.how = 'verbatim'" : ""}
           GROUP BY ALL ORDER BY ALL`,
        ),
      ),
    );
    if (s.verbatimOnly) continue;
    const enc: string[] = [];
    if (hexLens.length) enc.push(`SELECT DISTINCT 'hex' AS how, lower(hex(o)) AS e FROM (${rawText(s)}) WHERE 2 * strlen(o) IN (${hexLens.join(", ")})`);
    if (b64Lens.length) {
      enc.push(
        `SELECT DISTINCT 'base64' AS how, lower(to_base64(encode(o))) AS e FROM (${rawText(s)}) WHERE 4 * ceil(strlen(o) / 3) IN (${b64Lens.join(", ")})`,
      );
    }
    if (enc.length === 0) continue;
    out.push(
      ...hits(
        await ctx.rows(
          `SELECT p.tbl, p.col, ${src} AS src, r.how, count(DISTINCT p.v) AS n, list(DISTINCT p.v)[1:3] AS sample
           FROM ${p} p JOIN (${enc.join(" UNION ALL ")}) r ON r.e = p.v GROUP BY ALL ORDER BY ALL`,
        ),
      ),
    );
  }
  return out;
}

/**
 * Values of `probe` (tbl, col, v) that are unsalted MD5, SHA-256 or SM3 hex digests of raw
 * low-entropy identifiers (the raw value as stored, lower- and upper-cased). Nothing is hashed
 * unless the probe holds digest-shaped values (32 or 64 hex digits).
 */
export async function hashMatches(ctx: CheckContext, probe: string): Promise<EncodingHit[]> {
  const lens = await lengths(ctx, probe, `regexp_full_match(v, '[0-9a-f]{32}|[0-9a-f]{64}')`);
  if (lens.length === 0) return [];
  const low = (await searchable(ctx)).filter((s) => LOW_ENTROPY_TYPES.some((t) => s.ref.tags.includes(`pii:${t}`)));
  const p = `(${probe})`;
  const out: EncodingHit[] = [];
  for (const s of low) {
    const vals = `(SELECT o FROM (${rawText(s)}) UNION SELECT lower(o) FROM (${rawText(s)}) UNION SELECT upper(o) FROM (${rawText(s)}))`;
    const parts: string[] = [];
    if (lens.includes(32)) parts.push(`SELECT 'md5' AS how, md5(o) AS h FROM ${vals}`);
    if (lens.includes(64)) {
      parts.push(`SELECT 'sha256' AS how, sha256(o) AS h FROM ${vals}`);
      const { name: sm3Name, ref: sm3 } = ctx.tempTable("sm3");
      await materializeHostMapping(ctx.conn, `SELECT o FROM ${vals}`, sm3Name, (v) =>
        createHash("sm3").update(v, "utf8").digest("hex"),
      );
      parts.push(`SELECT 'sm3' AS how, p AS h FROM ${sm3}`);
    }
    out.push(
      ...hits(
        await ctx.rows(
          `SELECT p.tbl, p.col, ${quoteLiteral(s.label)} AS src, h.how, count(DISTINCT p.v) AS n, list(DISTINCT p.v)[1:3] AS sample
           FROM ${p} p JOIN (${parts.join(" UNION ALL ")}) h ON h.h = p.v GROUP BY ALL ORDER BY ALL`,
        ),
      ),
    );
  }
  return out;
}
