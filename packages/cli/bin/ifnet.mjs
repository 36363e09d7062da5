#!/usr/bin/env node
/**
 * The `ifnet` executable. Inside the ifnet workspace it runs the TypeScript sources directly (tsx, with the
 * `@ifnet/source` export condition, so nothing needs building first); from an installed package it runs the
 * compiled `dist/`. Signals (SIGINT, SIGTERM) are forwarded to the child so commands that run until
 * interrupted (`ifnet host`) shut down cleanly, and the child's exit status becomes ours.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = join(pkg, '..', '..');
const inWorkspace = existsSync(join(workspaceRoot, 'pnpm-workspace.yaml')) && existsSync(join(pkg, 'src', 'main.ts'));

if (!inWorkspace) {
  await import(pathToFileURL(join(pkg, 'dist', 'main.js')).href);
} else {
  const tsx = import.meta.resolve('tsx');
  const child = spawn(
    process.execPath,
    ['--conditions=@ifnet/source', '--import', tsx, join(pkg, 'src', 'main.ts'), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, TSX_TSCONFIG_PATH: join(workspaceRoot, 'tsconfig.base.json') },
    },
  );
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal] ?? 1));
    process.exit(code ?? 1);
  });
}
