import { type Host, Simulation, ZERO_COST_PROFILE, createPlatform } from '@ifnet/core';
import {
  CRYPTO_AES_GCM_16,
  CRYPTO_OP_ENCRYPT,
  type CryptoFramework,
  CryptoRequest,
  GCM_TAG_LEN,
  cryptoFramework,
} from '@ifnet/crypto';
import { CryptoCardDevice, type CryptoCardOptions, type CryptoCardDriver, registerCryptoCard } from '../src/index.js';

/** A host with one crypto card attached by autoconfiguration and its framework. */
export class CardRig {
  readonly sim = new Simulation({ seed: 1 });
  readonly host: Host;
  readonly dev: CryptoCardDevice;
  readonly drv: CryptoCardDriver;
  readonly fw: CryptoFramework;
  /** Opaque ids in completion order, with the virtual time each continuation ran. */
  readonly done: number[] = [];
  readonly doneAt: number[] = [];

  constructor(options: CryptoCardOptions = {}) {
    const platform = registerCryptoCard(createPlatform());
    this.host = platform.createHost({ name: 'h', runner: this.sim, costs: ZERO_COST_PROFILE, loopback: false });
    this.dev = new CryptoCardDevice(options);
    this.host.attachDevice(this.dev);
    const slots = this.host.autoconf();
    this.drv = slots[0].driver as CryptoCardDriver;
    this.fw = cryptoFramework(this.host);
  }

  /** An encrypt request of `len` bytes of pattern data with a 128-bit key. */
  request(id: number, len: number, key = new Uint8Array(16).fill(7)): CryptoRequest<number> {
    const crp = new CryptoRequest<number>(
      `r${id}`,
      (r) => {
        this.done.push(r.opaque);
        this.doneAt.push(this.sim.now());
      },
      id,
    );
    crp.session = this.fw.newSession(CRYPTO_AES_GCM_16, key);
    crp.op = CRYPTO_OP_ENCRYPT;
    crp.buf = new Uint8Array(len + GCM_TAG_LEN);
    for (let i = 0; i < len; i++) crp.buf[i] = (i * 31 + id) & 0xff;
    crp.len = len;
    crp.nonce.fill(id & 0xff);
    crp.aad.fill(0xaa, 0, 8);
    crp.aadLen = 8;
    return crp;
  }
}
