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
    // What they show (MRN, rows, selection, the document open) lives in one object per opening,
    // ended with its scope, never in module variables that outlive the patient (issue 23 item 8).
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
        ...[
          "Program > VariableDeclaration[kind=/^(let|var)$/]",
          "Program > ExportNamedDeclaration > VariableDeclaration[kind=/^(let|var)$/]",
        ].map((selector) => ({
          selector,
          message:
            "No module-level let or var in a view: the state of what it shows lives in its per-opening object (viewState in " +
            "shell/scope.ts), ended with its scope, so a closed patient's rows or MRN are not kept and an old handler acts " +
            "on its own patient. A callback set once at start goes in a const hooks object.",
        })),
      ],
    },
  },
);
