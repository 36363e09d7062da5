/**
 * Where the {@link DmaMap}s of one DMA space keep their segment numbers: rows of one shared `Int32Array`
 * chunk instead of a small `ArrayBuffer` per map (a kmem cache of `bus_dmamap` segment arrays).
 *
 * Why: a driver creates one map per ring slot at attach and touches a different one for every packet.
 * With a block per map, a load reached a separate typed-array object and a separately allocated backing
 * store per slot — two more cache misses per packet; with a slab, the maps of a ring (created one after
 * the other) are rows next to each other in one array, and the array object itself stays in cache.
 *
 * Rows are handed out at map creation (attach time) and never freed: a DMA space's maps live as long as
 * the space. A row never spans chunks; a new chunk is started when the current one is full.
 *
 * @module
 */

/** Words per chunk (64 KB): 5461 one-segment maps, or 170 maps of 32 segments. */
const CHUNK_WORDS = 16384;

export class DmaMapSlab {
  private chunk = new Int32Array(0);
  private used = 0;

  /** A zeroed row of `words` 32-bit words: the chunk holding it and the index of its first word. */
  alloc(words: number): { num: Int32Array; at: number } {
    if (this.used + words > this.chunk.length) {
      this.chunk = new Int32Array(Math.max(CHUNK_WORDS, words));
      this.used = 0;
    }
    const at = this.used;
    this.used += words;
    return { num: this.chunk, at };
  }
}
