export { generateDemoData, GenerateInput, type GeneratedFile } from "./generate.js";
export { runDemo, type DemoOptions, type DemoResult, type DemoStep } from "./walkthrough.js";
export { personRow, enterpriseRow, eventRow, PEOPLE_COLUMNS, ENTERPRISE_COLUMNS, EVENT_COLUMNS } from "./records.js";
