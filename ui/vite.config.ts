import { defineConfig } from "vite";

// The build is served by Tauri from the binary: relative paths, no inline scripts (strict CSP).
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  clearScreen: false,
});
