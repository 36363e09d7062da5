/** The demo as a tiny application of the published packages: `@ifnet/lab`'s `runDemo` (what `ifnet demo` runs). */
import { runDemo } from '@ifnet/lab';

await runDemo();
