/**
 * Whether a data-interface product answers about a person (a 核验 product), and which
 * call parameters name that person. Read from the SQL's parse tree; it fails closed: a
 * product whose SQL touches a person dataset's identifier outside `count(DISTINCT …)`
 * and takes parameters is personal, and if its subject key is not bound by plain
 * `column = $n` comparisons no call can be matched to an authorization, so none is answered.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { LibraryManifest } from "../library/materialise.js";

/** The verdict on one product SQL. */
export type SubjectBinding =
  | { personal: false }
  | { personal: true; dataset: string; kind: string; columns: string[]; params: (number | undefined)[] };

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** `$n` under casts, or undefined. */
function paramIndex(n: unknown): number | undefined {
  if (!isNode(n)) return undefined;
  if (n.class === "CAST") return paramIndex(n.child);
  if (n.class === "PARAMETER" && /^[0-9]+$/.test(String(n.identifier))) return Number(n.identifier) - 1;
  return undefined;
}

const colName = (n: unknown): string | undefined => {
  if (!isNode(n)) return undefined;
  if (n.class === "CAST") return colName(n.child);
  if (n.class !== "COLUMN_REF" || !Array.isArray(n.column_names)) return undefined;
  return String(n.column_names.at(-1));
};

/** Reads the SQL's parse tree (DuckDB's own serializer) once per product. */
export async function subjectBinding(manifest: LibraryManifest, sql: string, paramCount: number): Promise<SubjectBinding> {
  if (paramCount === 0) return { personal: false };
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  let tree: unknown;
  try {
    const conn = await db.connect();
    const r = await conn.runAndReadAll("SELECT json_serialize_sql(?::VARCHAR) AS j", [sql]);
    tree = JSON.parse(String(r.getRowObjects()[0].j));
    conn.closeSync();
  } finally {
    db.closeSync();
  }
  // Identifier-like columns of person datasets: their subject key and identifier/join-only roles.
  const personal = new Map<string, { dataset: string; kind: string; key: string[] }>();
  for (const d of manifest.datasets) {
    if (d.subject.kind !== "person") continue;
    for (const c of d.columns) if (d.subject.columns.includes(c) || d.roles[c] === "identifier" || d.roles[c] === "join-only") personal.set(c, { dataset: d.dataset, kind: d.subject.kind, key: d.subject.columns });
  }
  const touched = new Set<string>();
  const bound = new Map<string, number>();
  const walk = (n: unknown, inDistinctCount: boolean): void => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x, inDistinctCount));
    if (!isNode(n)) return;
    if (n.class === "COMPARISON" && n.type === "COMPARE_EQUAL") {
      const [l, r] = [n.left, n.right];
      const c = colName(l) ?? colName(r);
      const p = paramIndex(l) ?? paramIndex(r);
      if (c && p !== undefined && personal.has(c)) bound.set(c, p);
    }
    const c = n.class === "COLUMN_REF" ? colName(n) : undefined;
    if (c && personal.has(c) && !inDistinctCount) touched.add(c);
    const distinctCount = n.class === "FUNCTION" && n.distinct === true && n.function_name === "count";
    for (const v of Object.values(n)) walk(v, inDistinctCount || distinctCount);
  };
  walk(tree, false);
  if (touched.size === 0) return { personal: false };
  const first = personal.get([...touched][0])!;
  return { personal: true, dataset: first.dataset, kind: first.kind, columns: first.key, params: first.key.map((k) => bound.get(k)) };
}
