import type { InternalJobOptions, JobOutcome, JobSpec } from "./types.js";

/** Owner → worker: run one job (the worker exits after answering). */
export interface RunMessage {
  type: "run";
  spec: JobSpec;
  /** JavaScript to run (already transpiled when the job was TypeScript). */
  code: string;
  internal: InternalJobOptions;
}

/** Worker → owner. */
export type WorkerMessage = { type: "ready" } | { type: "outcome"; outcome: JobOutcome };
