/** Safe (sampled, desensitized) sample data for the catalog. */
export { buildSample, MAX_SAMPLE_ROWS, type SampleColumn, type SampleResult } from "./build-sample.js";
export { RARE_K } from "./generalise.js";
