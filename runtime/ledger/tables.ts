/** Names of the ledger's vault tables (CONTRACT.md: led_queries, led_<J>_q<q>, led_<J>_q<q>_subjects, led_<J>_q<q>_colsubjects, lmap_<J>_<part>). */

const safe = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_");

/** The accounted result of query `q` of job `job`. */
export function ledgerTable(job: string, q: number): string {
  return safe(`led_${job}_q${q}`);
}

/** The subject set (__row, dataset, __sid) of query `q` of job `job`. */
export function ledgerSubjectsTable(job: string, q: number): string {
  return `${ledgerTable(job, q)}_subjects`;
}

/** The subject sets (__row, __col, __part, dataset, __sid) of conditional columns of the ledger table `ledger` (present only when one narrows a row). */
export function ledgerColumnSubjectsTable(ledger: string): string {
  return `${ledger}_colsubjects`;
}

/** The alignment (out_row, __row) of staged table `part` of job `job` to its ledger rows. */
export function ledgerMapTable(job: string, part: string): string {
  return safe(`lmap_${job}_${part}`);
}

/** The one table listing every accounted query of every job. */
export const LEDGER_QUERIES = "led_queries";
