/**
 * `ifnet new-driver`: argument errors exit 2; a generated package passes its own conformance test and
 * typechecks, end to end. The generated package is given a `node_modules` of links to this workspace's
 * packages (what `npm install` would put there from the registry), then its own vitest and tsc run in a
 * child process, as its author would run them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { renameTemplate } from '../src/scaffold/driver-template.js';

const workspace = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'ifnet-new-driver-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  const out = process.stdout.write;
  process.stderr.write = () => true;
  process.stdout.write = () => true;
  return fn().finally(() => {
    process.stderr.write = write;
    process.stdout.write = out;
  });
}

describe('ifnet new-driver', () => {
  it('exits 2 on a bad name, a missing name or an occupied directory', async () => {
    expect(await quiet(() => run(['new-driver', 'My-Nic']))).toBe(2);
    expect(await quiet(() => run(['new-driver', 'nic0']))).toBe(2);
    expect(await quiet(() => run(['new-driver']))).toBe(2);
    const occupied = join(tmp, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'x'), '');
    expect(await quiet(() => run(['new-driver', 'abc', '--dir', occupied]))).toBe(2);
  });

  it('renames the template identifiers consistently', () => {
    expect(renameTemplate("VnicDriver vnicMatch VNIC_CTRL '@ifnet/example-vnic'", 'acme', '@x/acme')).toBe(
      "AcmeDriver acmeMatch ACME_CTRL '@x/acme'",
    );
  });

  it('generates a package whose conformance test passes and which typechecks', async () => {
    const dir = join(tmp, 'acme');
    expect(await quiet(() => run(['new-driver', 'acme', '--dir', dir]))).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('ifnet-driver-acme');
    expect(pkg.peerDependencies['@ifnet/core']).toBe('>=0.1.0 <1.0.0');
    expect(readFileSync(join(dir, 'src', 'driver', 'acme.ts'), 'utf8')).toContain('export class AcmeDriver');
    // What `npm install` would provide: the ifnet packages, vitest and typescript.
    mkdirSync(join(dir, 'node_modules', '@ifnet'), { recursive: true });
    for (const p of ['core', 'ether', 'wire', 'testkit']) {
      symlinkSync(join(workspace, 'packages', p), join(dir, 'node_modules', '@ifnet', p));
    }
    const testkitModules = join(workspace, 'packages', 'testkit', 'node_modules');
    symlinkSync(realpathSync(join(testkitModules, 'vitest')), join(dir, 'node_modules', 'vitest'));
    symlinkSync(realpathSync(join(workspace, 'node_modules', 'typescript')), join(dir, 'node_modules', 'typescript'));
    const vitest = spawnSync(process.execPath, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, VITEST: undefined, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined, NO_COLOR: '1' },
    });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Tests\s+\d+ passed/);
    const tsc = spawnSync(
      process.execPath,
      [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  });
});
