// `npm run test:package`: inferql as a user installs it, from the packed tarball with production
// dependencies only (CI runs it after `npm test`; it packs, so it builds, and it installs from the
// npm registry or npm's cache).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/package/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
