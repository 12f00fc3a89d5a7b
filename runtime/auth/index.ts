export { authenticate } from "./authenticate.js";
export { newToken, newSalt, tokenDigest, tokenMatches } from "./tokens.js";
