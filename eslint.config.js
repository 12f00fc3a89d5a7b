// Lint config: typescript-eslint's recommended rules over the source folders.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // Sandbox attack fixtures are deliberately hostile code run inside the isolate.
    files: ["test/**/fixtures/**"],
    rules: { "no-empty": "off", "no-restricted-globals": "off", "@typescript-eslint/no-unused-expressions": "off" },
  },
);
