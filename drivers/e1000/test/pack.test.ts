/**
 * The public surface as a consumer sees it: build the package, `pnpm pack` it, unpack the tarball into a
 * fresh `node_modules` next to a build of `@ifnet/core`, and import `@ifnet/e1000` and its subpaths from
 * plain Node (no source condition, no TypeScript). The main export holds what a user needs; registers
 * and internals are only under their subpaths; files outside the exports map are not reachable.
 *
 * Deterministic and offline: the two builds are `tsc` runs, the pack is local, nothing is fetched.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const coreDir = join(pkgDir, '../../packages/core');
const tsc = join(pkgDir, '../../node_modules/.bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'e1000-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `pnpm` as the running package manager, or the pinned one through npx. */
function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /pnpm\.c?js$/.test(execPath)) {
    return execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: 'utf8' });
  }
  return execFileSync('npx', ['-y', 'pnpm@10.34.8', ...args], { cwd, encoding: 'utf8' });
}

/** Builds, packs and installs the package and a build of core into `<work>/consumer/node_modules`. */
function install(): string {
  const consumer = join(work, 'consumer');
  const modules = join(consumer, 'node_modules');
  // @ifnet/core, built into the consumer's node_modules with its own manifest and dependencies.
  const core = join(modules, '@ifnet/core');
  mkdirSync(core, { recursive: true });
  execFileSync(tsc, ['-p', join(coreDir, 'tsconfig.build.json'), '--outDir', join(core, 'dist')], { stdio: 'pipe' });
  cpSync(join(coreDir, 'package.json'), join(core, 'package.json'));
  for (const dep of ['tsyringe', 'reflect-metadata'])
    symlinkSync(join(coreDir, 'node_modules', dep), join(modules, dep));
  // @ifnet/e1000: build, pack, unpack.
  execFileSync(tsc, ['-p', join(pkgDir, 'tsconfig.build.json')], { stdio: 'pipe' });
  pnpm(['pack', '--pack-destination', work], pkgDir);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('pnpm pack produced no tarball');
  const e1000 = join(modules, '@ifnet/e1000');
  mkdirSync(e1000, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', e1000, '--strip-components=1']);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  return consumer;
}

/** Runs an ES module in the consumer directory and returns what it printed as JSON. */
function run(consumer: string, code: string): unknown {
  const file = join(consumer, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: consumer, encoding: 'utf8' }));
}

describe('@ifnet/e1000 as packed', () => {
  let consumer = '';
  let manifest: { exports: Record<string, Record<string, string>>; peerDependencies: Record<string, string> } = {
    exports: {},
    peerDependencies: {},
  };
  beforeAll(() => {
    consumer = install();
    manifest = JSON.parse(readFileSync(join(consumer, 'node_modules/@ifnet/e1000/package.json'), 'utf8'));
  }, 180_000);

  it('ships dist with types for every export, and a peer range on core without the workspace protocol', () => {
    for (const [sub, target] of Object.entries(manifest.exports)) {
      // `./bench` is the workspace's benchmark-provider convention (`ifnet bench`): sources, not shipped.
      if (sub === './bench') continue;
      for (const key of ['types', 'import']) {
        expect(existsSync(join(consumer, 'node_modules/@ifnet/e1000', target[key])), `${sub} ${key}`).toBe(true);
      }
    }
    expect(Object.keys(manifest.exports).sort()).toEqual(['.', './bench', './internals', './regs', './trace']);
    expect(manifest.peerDependencies['@ifnet/core']).toBe('>=0.1.0 <1.0.0');
  });

  it('the main export holds what a user needs and no register constants', () => {
    const keys = run(
      consumer,
      "import * as m from '@ifnet/e1000'; console.log(JSON.stringify(Object.keys(m).sort()));",
    );
    expect(keys).toEqual([
      'E1000Device',
      'E1000_IDS',
      'E1000_OPTIONS',
      'WM_MAX_MTU',
      'WM_MAX_RX_USECS',
      'WmDrop',
      'WmSoftc',
      'e1000Driver',
      'parseMac',
      'registerE1000',
      'wmMatch',
    ]);
  });

  it('registers, trace names and internals come from their subpaths', () => {
    const probe = run(
      consumer,
      `import { E1000_CTRL, RCTL_EN, mtaHash } from '@ifnet/e1000/regs';
       import { e1000RegisterName } from '@ifnet/e1000/trace';
       import { crc32, rxChecksumBits, WmDataPath } from '@ifnet/e1000/internals';
       import { E1000Device, wmMatch } from '@ifnet/e1000';
       import { Simulation, createPlatform } from '@ifnet/core';
       const host = createPlatform().createHost({ name: 'h', runner: new Simulation({ seed: 1 }) });
       const dev = new E1000Device({ mac: '02:00:00:00:00:01' });
       host.attachDevice(dev);
       console.log(JSON.stringify({
         ctrl: E1000_CTRL, en: RCTL_EN, hash: typeof mtaHash, crc: crc32(new TextEncoder().encode('123456789'), 0, 9) >>> 0,
         csum: typeof rxChecksumBits, dp: typeof WmDataPath, name: e1000RegisterName(0xc0),
         names: dev.registerNames.length, match: wmMatch(dev.ident), rdt: dev.read32(0x2818),
       }));`,
    );
    expect(probe).toEqual({
      ctrl: 0,
      en: 2,
      hash: 'function',
      crc: 0xcbf43926,
      csum: 'function',
      dp: 'function',
      name: 'ICR',
      names: 1,
      match: 1,
      rdt: 0,
    });
  });

  it('files outside the exports map are not importable', () => {
    const r = run(
      consumer,
      `try { await import('@ifnet/e1000/dist/regs.js'); console.log('"reachable"'); }
       catch (e) { console.log(JSON.stringify(e.code)); }`,
    );
    expect(r).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
