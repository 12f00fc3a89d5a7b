export { runBench, scalingSteps, type BenchReport } from "./run-bench.js";
export { renderBench } from "./render.js";
export { machineFacts, type MachineFacts } from "./machine.js";
export { flatFigures, unitSuffix, keyOf, type Figure } from "./figures.js";
