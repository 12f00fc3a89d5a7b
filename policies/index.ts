export * from "./errors.js";
export * from "./schemas/index.js";
export * from "./authz/index.js";
export * from "./pii/types.js";
export * from "./pii/checksums.js";
export * from "./pii/detect.js";
