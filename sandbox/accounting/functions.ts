import type { LedgerColumnMeta } from "../types.js";

export type AggClass = NonNullable<LedgerColumnMeta["agg"]>;

/**
 * Aggregate functions and what each reveals about the subjects behind a cell. A
 * `single` statistic is one subject's own value (issue 10 item 4); a `values` aggregate
 * (list, string_agg, histogram …) is every subject's value, record-level data packed into
 * one cell; additive ones (count, sum, avg) get per-subject contributions in the ledger.
 */
const CLASSES: Record<string, AggClass> = {
  count: "count", count_star: "count", count_if: "count", countif: "count", regr_count: "count",
  approx_count_distinct: "count_distinct",
  sum: "sum", fsum: "sum", sumkahan: "sum", kahan_sum: "sum", sum_no_overflow: "sum",
  avg: "avg", mean: "avg", favg: "avg",
  stddev: "dispersion", stddev_pop: "dispersion", stddev_samp: "dispersion", var_pop: "dispersion", var_samp: "dispersion",
  variance: "dispersion", corr: "dispersion", covar_pop: "dispersion", covar_samp: "dispersion", regr_slope: "dispersion",
  regr_intercept: "dispersion", regr_r2: "dispersion", regr_avgx: "dispersion", regr_avgy: "dispersion", regr_sxx: "dispersion",
  regr_syy: "dispersion", regr_sxy: "dispersion", entropy: "dispersion", kurtosis: "dispersion", kurtosis_pop: "dispersion",
  skewness: "dispersion", product: "dispersion",
  min: "single", max: "single", first: "single", last: "single", any_value: "single", arbitrary: "single",
  arg_min: "single", arg_max: "single", argmin: "single", argmax: "single", min_by: "single", max_by: "single",
  mode: "single",
  list: "values", array_agg: "values", string_agg: "values", group_concat: "values", listagg: "values", histogram: "values",
  histogram_exact: "values", map_agg: "values",
  quantile: "single", quantile_cont: "single", quantile_disc: "single", median: "single",
  approx_quantile: "single", bool_and: "single", bool_or: "single", bit_and: "single", bit_or: "single", bit_xor: "single",
};

/** The class of an aggregate function call, or undefined when `name` is not an aggregate. */
export function aggClass(name: string, distinct: boolean): AggClass | undefined {
  const c = CLASSES[name.toLowerCase()];
  if (c === "count" && distinct) return "count_distinct";
  return c;
}

/** Additive aggregates: per-subject contributions add up to the cell (avg via its sum). */
export function contributionFunction(name: string, distinct: boolean): string | undefined {
  if (distinct) return undefined;
  const n = name.toLowerCase();
  if (n === "count" || n === "count_star" || n === "count_if" || n === "countif") return n;
  if (n === "sum" || n === "fsum" || n === "sumkahan" || n === "kahan_sum" || n === "sum_no_overflow") return "sum";
  if (n === "avg" || n === "mean" || n === "favg") return "sum";
  return undefined;
}

/** The most revealing class among several (values > single > dispersion > the rest). */
export function strongest(classes: AggClass[]): AggClass | undefined {
  if (classes.includes("values")) return "values";
  if (classes.includes("single")) return "single";
  if (classes.includes("dispersion")) return "dispersion";
  return classes[0];
}
