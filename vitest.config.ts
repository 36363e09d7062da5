/**
 * The one vitest configuration of the monorepo. Every package, driver and example is a vitest *project*
 * named after its package.json name, so `pnpm test` (root) runs every suite, and a package's own
 * `test` script runs just its project (`--project @ifnet/core`).
 *
 * Workspace packages are resolved to their TypeScript sources through the `@ifnet/source` export
 * condition, so tests never need a prior build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const conditions = ['@ifnet/source', 'module', 'node', 'import', 'default'];

function workspaceProjects() {
  const projects = [];
  for (const group of ['packages', 'drivers', 'examples']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir).sort()) {
      const manifest = join(groupDir, entry, 'package.json');
      if (!existsSync(manifest)) continue;
      const name = JSON.parse(readFileSync(manifest, 'utf8')).name as string;
      projects.push({
        extends: true as const,
        test: {
          name,
          root: join(groupDir, entry),
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
        },
      });
    }
  }
  return projects;
}

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@ifnet/source'] } },
  test: {
    root,
    projects: workspaceProjects(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
