#!/usr/bin/env node
/**
 * Copies the example driver (`examples/vnic`, package `@ifnet/example-vnic`) into this package's
 * `template/vnic`, so a published `@ifnet/cli` carries the `ifnet new-driver` template itself: the example
 * package is private (never published) and is only a dev dependency of the CLI. Run by `prepack`.
 *
 * Usage: node scripts/bundle-template.mjs [DEST]   (default: <cli>/template/vnic)
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(cli, '../../examples/vnic');
const dest = resolve(process.argv[2] ?? join(cli, 'template/vnic'));
if (!existsSync(join(source, 'package.json'))) {
  console.error(`bundle-template: the example driver is not at ${source} (run this inside the ifnet workspace)`);
  process.exit(1);
}
rmSync(dest, { recursive: true, force: true });
for (const dir of ['src', 'test']) cpSync(join(source, dir), join(dest, dir), { recursive: true });
console.log(`bundle-template: ${source} -> ${dest}`);
