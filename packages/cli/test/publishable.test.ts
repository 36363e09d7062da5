/**
 * What a published `@ifnet/cli` (and every other published package) can rely on: no published package
 * depends on a private workspace package (npm could not install it), and the `ifnet new-driver` template
 * that `prepack` bundles into `template/vnic` generates exactly what the workspace's example driver does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffoldDriver } from '../src/scaffold/driver-template.js';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(cliDir, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'ifnet-publishable-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function manifests(): Manifest[] {
  const all: Manifest[] = [];
  for (const group of ['packages', 'drivers', 'examples']) {
    for (const entry of readdirSync(join(workspace, group))) {
      const file = join(workspace, group, entry, 'package.json');
      if (existsSync(file)) all.push(JSON.parse(readFileSync(file, 'utf8')) as Manifest);
    }
  }
  return all;
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

describe('publishable packages', () => {
  it('no published package depends (or peer-depends) on a private workspace package', () => {
    const all = manifests();
    const priv = new Set(all.filter((m) => m.private === true).map((m) => m.name));
    const bad: string[] = [];
    for (const m of all) {
      if (m.private === true) continue;
      for (const deps of [m.dependencies, m.peerDependencies, m.optionalDependencies]) {
        for (const d of Object.keys(deps ?? {})) if (priv.has(d)) bad.push(`${m.name} -> ${d}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the template bundled by prepack generates the same driver package as the workspace example', () => {
    const bundled = join(tmp, 'template');
    execFileSync(process.execPath, [join(cliDir, 'scripts', 'bundle-template.mjs'), bundled], { stdio: 'pipe' });
    const fromWorkspace = scaffoldDriver({ name: 'acme', dir: join(tmp, 'a') });
    const fromBundle = scaffoldDriver({ name: 'acme', dir: join(tmp, 'b'), templateDir: bundled });
    expect(fromBundle.files).toEqual(fromWorkspace.files);
    expect(filesUnder(join(tmp, 'b'))).toEqual(filesUnder(join(tmp, 'a')));
    for (const f of filesUnder(join(tmp, 'a'))) {
      expect(readFileSync(join(tmp, 'b', f), 'utf8'), f).toBe(readFileSync(join(tmp, 'a', f), 'utf8'));
    }
  });
});
