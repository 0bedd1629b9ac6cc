import { defineConfig } from "vitest/config";

// The build is served by Tauri from the binary: relative paths, no inline scripts (strict CSP).
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // One chunk, most of it pdf.js (~160 kB gzipped): splitting it buys nothing here.
    chunkSizeWarningLimit: 1024,
  },
  clearScreen: false,
  // Unit tests run the real UI modules in jsdom with the core faked (vi.mock of backend/api).
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    // One test file per core: the main process only waits (vitest leaves it a core of its own,
    // which on the 2-core CI machine halves the speed).
    maxWorkers: "100%",
  },
});
