import type { DuckDBConnection } from "@duckdb/node-api";

export type Severity = "block" | "review" | "pass";

/** One result of one rule. `cells` shows offending rows/cells, desensitized for display. */
export interface Finding {
  rule: string;
  severity: Severity;
  detail: string;
  cells?: unknown[];
}

/** A vault table column the job read, with its tags (pii:*, quasi, sensitive). */
export interface RawColumnRef {
  table: string;
  column: string;
  tags: string[];
}

/** Whether an output table holds one row per person/record or one row per category cell. */
export type TableKind = "record" | "aggregate";

/** A staged output table, after desensitization. */
export interface OutputTable {
  name: string;
  columns: { name: string; type: string; tags?: string[] }[];
  /** Declared by the lead (e.g. from the job's SQL); inferred when absent (see table-kind.ts). */
  kind?: TableKind;
  /** The count column of an aggregate; inferred by name and type when absent. */
  countColumn?: string;
  /** Magnitude (sum) columns and the raw column they add up, for dominance and p% rules. */
  magnitudes?: { column: string; raw: { table: string; column: string } }[];
}

/** All rule thresholds; each rule file holds its defaults and their source. */
export interface Thresholds {
  /** k-anonymity: minimum equivalence-class size of record-level output. */
  k: number;
  /** distinct l-diversity: minimum distinct sensitive values per equivalence class. */
  l: number;
  /** smallest count an aggregate cell may show without review. */
  minCellCount: number;
  /** dominance (n, k): the n largest contributors may not exceed k of the cell total. */
  dominanceN: number;
  dominanceK: number;
  /** p% rule: the rest of the cell must exceed p × the largest contributor. */
  pPercent: number;
  /** differencing: a margin difference below this between releases isolates a small group. */
  differencingMin: number;
  /** model capacity: parameters / training rows above this ratio needs review. */
  modelParamRatio: number;
  /** one-to-one mapping: fewest distinct identifier values for the signature test to mean anything. */
  minDistinctForMapping: number;
  /** raw identifier values shorter than this (except names) are not searched for (coincidence). */
  minIdentifierLength: number;
}

/** What the egress gate hands to runChecks. */
export interface CheckInput {
  /** Sees both the staged output table(s) and the raw vault tables. */
  conn: DuckDBConnection;
  form: "dataset" | "report" | "model" | "index";
  outputTables: OutputTable[];
  model?: unknown;
  report?: string;
  logs?: string[];
  index?: number[];
  /** The granted raw columns with their tags. */
  raw: RawColumnRef[];
  /** Earlier released tables of the same scenario (already in conn). */
  earlierReleases?: { tables: OutputTable[] }[];
  thresholds?: Partial<Thresholds>;
  /** Output columns produced by keyed pseudonymisation in the gate (applyPolicy): linkable, not reversible. */
  pseudonymized?: { table: string; column: string }[];
  /** Rows the model was trained on; defaults to the largest raw table read. */
  trainingRows?: number;
}

/** One disclosure rule. */
export interface Rule {
  name: string;
  run(ctx: import("./context.js").CheckContext): Promise<Finding[]>;
}
