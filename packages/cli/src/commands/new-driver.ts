/**
 * `ifnet new-driver NAME`: generates a driver package (device model, driver, conformance test) from the
 * annotated example driver, ready to pass the conformance kit. Bad names or an occupied directory are
 * usage errors (exit 2).
 */
import type { Command } from 'commander';
import { scaffoldDriver } from '../scaffold/driver-template.js';

export function registerNewDriver(program: Command): void {
  program
    .command('new-driver')
    .description('generate a driver package (device model, driver, conformance test) from the annotated skeleton')
    .argument('<name>', 'driver name: lowercase letters and digits, e.g. mynic (interfaces become mynic0, ...)')
    .option('--dir <path>', 'directory to create (default: ./<name>)')
    .option('--package <name>', 'npm package name (default: ifnet-driver-<name>)')
    .action((name: string, opts: { dir?: string; package?: string }) => {
      const dir = opts.dir ?? name;
      const r = scaffoldDriver({ name, dir, packageName: opts.package });
      process.stdout.write(`created ${dir}/ with:\n`);
      for (const f of r.files) process.stdout.write(`  ${f}\n`);
      const next = r.inWorkspace
        ? `npx -y pnpm@10.34.8 install && npx -y pnpm@10.34.8 exec vitest run --project ${r.packageName}`
        : `cd ${dir} && npm install && npm test`;
      process.stdout.write(`next: ${next}   (then read src/driver/${name}.ts)\n`);
    });
}
