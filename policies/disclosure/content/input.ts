/**
 * What the content checks read beyond the shared CheckInput: the job (to find its ledger) and
 * the job's code and parameters (their numeric constants may appear in reports). Declared by
 * module augmentation so types.ts (owned by the table rules) needs no edit.
 */
declare module "../types.js" {
  interface CheckInput {
    /** The job whose output this is: its ledger tables are `led_<job>_q<q>` in `conn`. */
    job?: string;
    /** The job's code (model source or SQL), read back from staging and checked against code_sm3. */
    code?: string;
    /** The job's parameters (ctx.params or SQL $n): their numbers are constants too. */
    params?: unknown;
  }
}

export {};
