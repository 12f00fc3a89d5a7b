export { complianceReport, complianceMarkdown, type ComplianceReport } from "./compliance.js";
export { activityReport, activityMarkdown, ActivityInput, type ActivityReport } from "./activity.js";
export { REQUIREMENTS, type Requirement, type Article } from "./requirements.js";
export { indexTests, findRepoRoot, type TestTitle } from "./test-index.js";
