import type { DuckDBConnection } from "@duckdb/node-api";

export type Severity = "block" | "review" | "pass";

/** A remedy the developer can ask the gate to apply (`egress request --remedy`), then re-checked. */
export type RemedyName = "suppress-small" | "round5";

/** One result of one rule. `cells` shows offending rows/cells, desensitized for display. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** English text. */
  detail: string;
  /** The same text in Chinese. */
  zh?: string;
  /** The output table the finding is about (its staged name). */
  table?: string;
  cells?: unknown[];
  /** Distinct-subject counts of the cells shown, in the same order (from the ledger). */
  subjects?: number[];
  /** What the developer can do about it (en / zh), and the gate-side remedy that fixes it, if any. */
  remedy?: { en: string; zh: string; apply?: RemedyName[] };
}

/** A vault table column the job read, with its tags (pii:*, quasi, sensitive). */
export interface RawColumnRef {
  table: string;
  column: string;
  tags: string[];
}

/** Where a staged table came from, decided by the domain (CONTRACT.md "Marks"), never by the developer. */
export type MarkKind = "accounted-aggregate" | "accounted-rows" | "computed";

/** One result column of an accounted query, as `led_queries.meta.columns` records it. */
export interface LedgerColumn {
  name: string;
  role: "group" | "aggregate" | "plain";
  /** The most revealing aggregate class in the column's expression (values > single > dispersion > the first other). */
  agg?: "count" | "count_distinct" | "sum" | "avg" | "dispersion" | "single" | "values";
  /** Every class, when the expression has several (`sum(a)/count(*)`). */
  aggs?: NonNullable<LedgerColumn["agg"]>[];
  /** A window over the grouped rows. */
  window?: boolean;
  /** The ledger table holds `__top1_i`, `__top2_i`, `__total_i` (and, since contributor accounting, `__nonzero_i`, `__mag1_i`, `__mag2_i`; since offset accounting `__abs_i`, `__offmode_i`, `__offtwo_i`) for this column (i = its index among all result columns). */
  additive?: boolean;
  /** Only for a plain column reference (or an aggregate's first argument), traced through row-selecting CTEs. */
  source?: { dataset: string; column: string; role: string };
}

/** The ledger of the query an accounted table equals. */
export interface LedgerRef {
  /** `led_<J>_q<q>`: result columns + `__row`, and `__subjects`/`__top*_i`/`__total_i` (aggregate) or `__sid` (rows). */
  table: string;
  /** `led_<J>_q<q>_subjects(__row, dataset, __sid)`. */
  subjects: string;
  /** Result columns in query order (index i of `__top1_<i>`). */
  columns: LedgerColumn[];
}

/** A staged table's mark with the ledger tables it refers to. */
export interface TableMark {
  kind: MarkKind;
  query?: number;
  /** output column → ledger column. */
  columns?: Record<string, string>;
  /** vault table `lmap_<J>_<part>(out_row, __row)`: output row (the table's `rowColumn`) → ledger row. */
  map?: string;
  ledger?: LedgerRef;
}

/** A staged output table, after desensitization (and any remedies). */
export interface OutputTable {
  name: string;
  columns: { name: string; type: string; tags?: string[] }[];
  /** The domain's mark; a table without one is `computed`. */
  mark?: TableMark;
  /** Column holding each row's staged row number (the map's `out_row`); not part of the release. Default `__out_row`. */
  rowColumn?: string;
  /** Column holding each row's subject id, attached by the gate when it built the output (accounted-rows). Default: joined through the map. */
  sidColumn?: string;
  /** The staged part's name, for findings. */
  label?: string;
}

/** All rule thresholds; each rule file holds its defaults and their source. */
export interface Thresholds {
  /** minimum distinct subjects behind a released aggregate cell (block below), and k of k-anonymity. */
  k: number;
  /** distinct l-diversity: minimum distinct sensitive values per equivalence class. */
  l: number;
  /** cells with fewer distinct subjects than this (but ≥ k) are reviewed. */
  minCellCount: number;
  /** contributors: what the other subjects may leave of a cell's total before it counts as one or two subjects' value. */
  contributorRest: number;
  /** cancellation: how close to one or two subjects' contributions a cancelling total may come before it is theirs. */
  cancellationShare: number;
  /** dominance (n, k): the n largest contributors may not exceed k of the cell total. */
  dominanceN: number;
  dominanceK: number;
  /** p% rule: the rest of the cell must exceed p × the largest contributor. */
  pPercent: number;
  /** subject sets that differ by 1 … differencingMin−1 subjects isolate that many people. */
  differencingMin: number;
  /** model capacity: parameters / training rows above this ratio needs review. */
  modelParamRatio: number;
  /** arrays shorter than this are never treated as per-row storage in models. */
  minDistinctForMapping: number;
  /** raw identifier values shorter than this (except names) are not searched for (coincidence). */
  minIdentifierLength: number;
  /** identifier-equivalent: distinct values / distinct subjects at or above this blocks a record-level column. */
  identifierRatio: number;
  /** suppress-small remedy: cells with at most this many subjects are suppressed. */
  suppressAtMost: number;
}

/** A released cell kept for differencing (vault table `released_cells`). */
export interface ReleasedCellsStore {
  /** `released_cells(cell, egress, org, scenario, dataset, tbl, subjects, released_at)`. */
  cells: string;
  /** `released_cell_subjects(cell, dataset, __sid)`. */
  subjects: string;
}

/** What the egress gate hands to runChecks. */
export interface CheckInput {
  /** Sees the staged output table(s), the ledger tables and the raw vault tables. */
  conn: DuckDBConnection;
  form: "dataset" | "report" | "model" | "index";
  outputTables: OutputTable[];
  model?: unknown;
  report?: string;
  logs?: string[];
  index?: number[];
  /** The granted raw columns with their tags. */
  raw: RawColumnRef[];
  /** Earlier released cells of every organisation (subject sets); absent → none. */
  released?: ReleasedCellsStore;
  thresholds?: Partial<Thresholds>;
  /** Output columns produced by keyed pseudonymisation in the gate (applyPolicy): linkable, not reversible. */
  pseudonymized?: { table: string; column: string }[];
  /** Rows the model was trained on; defaults to the largest raw table read. */
  trainingRows?: number;
  /** Highest grade of the data read (single-subject statistics block on grade 4). */
  grade?: number;
}

/** One disclosure rule. */
export interface Rule {
  name: string;
  run(ctx: import("./context.js").CheckContext): Promise<Finding[]>;
}
