export { PII_TYPES, isColumnTag, type ColumnTag, type PiiType } from "./types.js";
export {
  residentIdCheckChar,
  isValidResidentId,
  luhnCheckDigit,
  isValidLuhn,
  usccCheckChar,
  isValidUscc,
  isValidMobile,
} from "./checksums.js";
export { detectPii, type ColumnProposal, type DetectOptions, type PiiMatch } from "./detect.js";
