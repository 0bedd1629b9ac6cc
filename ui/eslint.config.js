// The UI's lint rules (issue 23 item 7), run by `npm run lint` in scripts/test.sh.
// Type-aware, so a promise nobody awaits or catches is found: its failure would vanish silently.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/"] },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    // Views keyed by patient, category or document take backend answers only through their
    // scope (src/shell/scope.ts), so an answer for a patient no longer on screen cannot draw.
    files: ["src/documents/**/*.ts", "src/patient/**/*.ts"],
    ignores: ["**/*.test.ts", "**/test-support.ts", "**/pdf-test-support.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...[
          "AwaitExpression > CallExpression[callee.object.name='backend']",
          "AwaitExpression > CallExpression > MemberExpression.callee > CallExpression.object[callee.object.name='backend']",
          "CallExpression[callee.property.name='then'] > MemberExpression.callee > CallExpression.object[callee.object.name='backend']",
        ].map((selector) => ({
          selector,
          message: "Hand a backend answer to the view through its scope (scope.run / view.run in shell/scope.ts), not await or then it.",
        })),
      ],
    },
  },
);
