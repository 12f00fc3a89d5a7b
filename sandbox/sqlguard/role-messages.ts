import { text, type Obj } from "./ast.js";

/** What a refusal tells the developer they may do with an identifier or join-only column. */
export const ALLOWED_USE =
  "it may appear only inside count(DISTINCT …) or in an equality join/filter condition " +
  "(= another identifier or join-only column, = a constant or parameter, IN (constants)) in JOIN … ON / USING or WHERE, under AND only";

const OPERATOR_NAMES: Record<string, string> = {
  list_value: "a list [...]",
  list_pack: "a list",
  struct_pack: "a struct {...}",
  row: "row()",
  "~~": "LIKE",
  "!~~": "NOT LIKE",
  "~~*": "ILIKE",
  "!~~*": "NOT ILIKE",
  "~~~": "GLOB",
  "||": "concatenation (||)",
};

const COMPARISON_SIGNS: Record<string, string> = {
  COMPARE_EQUAL: "=",
  COMPARE_NOTEQUAL: "<>",
  COMPARE_LESSTHAN: "<",
  COMPARE_GREATERTHAN: ">",
  COMPARE_LESSTHANOREQUALTO: "<=",
  COMPARE_GREATERTHANOREQUALTO: ">=",
  COMPARE_DISTINCT_FROM: "IS DISTINCT FROM",
  COMPARE_NOT_DISTINCT_FROM: "IS NOT DISTINCT FROM",
};

/** What a node is called in a refusal ("md5()", "a cast"), or undefined for nodes not worth naming. */
export function describe(node: Obj): string | undefined {
  const type = text(node, "type");
  switch (node.class) {
    case "FUNCTION": {
      const name = text(node, "function_name").toLowerCase();
      return OPERATOR_NAMES[name] ?? (node.is_operator === true ? `arithmetic (${name})` : `${name}()`);
    }
    case "WINDOW":
      return `window function ${text(node, "function_name")}() OVER (…)`;
    case "CAST":
      return "a cast";
    case "COMPARISON":
      return `a comparison (${COMPARISON_SIGNS[type] ?? type})`;
    case "CONJUNCTION":
      return type === "CONJUNCTION_OR" ? "OR" : undefined;
    case "CASE":
      return "CASE";
    case "LAMBDA":
      return "a lambda";
    case "BETWEEN":
      return "BETWEEN";
    case "SUBQUERY":
      return "a subquery comparison";
    case "COLLATE":
      return "COLLATE";
    case "OPERATOR":
      return type === "OPERATOR_COALESCE" ? "COALESCE" : type.replace(/^(OPERATOR|COMPARE)_/, "").toLowerCase().replaceAll("_", " ");
    default:
      return undefined;
  }
}
