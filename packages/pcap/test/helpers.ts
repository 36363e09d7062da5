import { Simulation, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { inetFor, registerInet } from '@ifnet/inet';
import type { PcapSink } from '../src/index.js';

/** A sink that keeps copies of every chunk; `bytes()` is the whole file so far. */
export function memorySink(): PcapSink & { chunks: Uint8Array[]; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    write(c) {
      chunks.push(c.slice());
      return true;
    },
    bytes() {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      return out;
    },
  };
}

/** Two hosts with an e1000 each (not yet cabled), on one simulation, 192.0.2.1 and .2. */
export function twoHosts(seed = 1) {
  const sim = new Simulation({ seed });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerE1000(platform);
  const hosts = ['a', 'b'].map((name, i) => {
    const host = platform.createHost({ name, runner: sim });
    const dev = new E1000Device({ mac: `02:00:00:00:00:0${i + 1}` });
    host.attachDevice(dev);
    const [slot] = host.autoconf();
    const ifp = (slot.driver as WmSoftc).ifp;
    return { host, dev, ifp };
  });
  const up = () => {
    for (const [i, h] of hosts.entries()) {
      h.ifp.upIf();
      inetFor(h.host).addAddress(h.ifp, `192.0.2.${i + 1}/24`);
    }
  };
  return { sim, a: hosts[0], b: hosts[1], up };
}
