export { ROLE_PERMISSIONS, roleAllows, type Action } from "./actions.js";
export { OBJECT_RULES, seesAllOrgs, type ObjectFacts } from "./object-rules.js";
export { authorize, decide } from "./engine.js";
export type { Principal } from "./principal.js";
