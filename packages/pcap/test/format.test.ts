import { describe, expect, it } from 'vitest';
import { PCAP_HEADER_LEN, PcapFormatError, PcapReader, PcapWriter, parsePcapHeader, readPcap } from '../src/index.js';
import { memorySink } from './helpers.js';

const frame = (n: number, fill = 0xab) => new Uint8Array(n).fill(fill);

describe('pcap writer and reader', () => {
  it('writes the classic global header, little-endian, nanosecond magic by default', () => {
    const sink = memorySink();
    const w = new PcapWriter({ sink, snaplen: 65535 });
    w.flush();
    expect([...sink.bytes()]).toEqual([
      0x4d,
      0x3c,
      0xb2,
      0xa1, // magic 0xa1b23c4d (ns), little-endian
      2,
      0,
      4,
      0, // version 2.4
      0,
      0,
      0,
      0, // thiszone
      0,
      0,
      0,
      0, // sigfigs
      0xff,
      0xff,
      0,
      0, // snaplen 65535
      1,
      0,
      0,
      0, // LINKTYPE_ETHERNET
    ]);
    const us = memorySink();
    new PcapWriter({ sink: us, resolution: 'us' }).flush();
    expect([...us.bytes().subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
  });

  it('round-trips records with timestamps from the clock plus the epoch, in ns and in µs', () => {
    for (const resolution of ['ns', 'us'] as const) {
      const sink = memorySink();
      let now = 0;
      const w = new PcapWriter({
        sink,
        resolution,
        clock: { now: () => now },
        epoch: { sec: 1_700_000_000, nsec: 999_999_000 },
      });
      now = 1_234_567; // 1.234567 ms
      w.record(frame(60, 1), 0, 60);
      now = 2_000_000_123;
      w.record(frame(100, 2), 10, 80);
      w.close();
      const { header, records } = readPcap(sink.bytes());
      expect(header).toMatchObject({ resolution, littleEndian: true, linktype: 1, versionMajor: 2, versionMinor: 4 });
      expect(records.map((r) => [r.sec, r.nsec, r.caplen, r.origlen])).toEqual([
        [1_700_000_001, resolution === 'ns' ? 1_233_567 : 1_233_000, 60, 60],
        [1_700_000_002, resolution === 'ns' ? 999_999_123 : 999_999_000, 80, 80],
      ]);
      expect(records[1].data.every((b) => b === 2)).toBe(true);
      expect(w.stats).toMatchObject({ packets: 2, truncated: 0, dropped: 0 });
    }
  });

  it('truncates at the snaplen and says so (caplen < origlen)', () => {
    const sink = memorySink();
    const w = new PcapWriter({ sink, snaplen: 64 });
    w.record(frame(1500), 0, 1500);
    w.close();
    const [r] = readPcap(sink.bytes()).records;
    expect([r.caplen, r.origlen]).toEqual([64, 1500]);
    expect(w.stats.truncated).toBe(1);
  });

  it('hands chunks to the sink when the buffer fills, and counts records of refused chunks as dropped', () => {
    let accept = true;
    const sink = memorySink();
    const w = new PcapWriter({
      sink: { write: (c) => accept && sink.write(c) },
      bufferBytes: 1000,
      snaplen: 200,
    });
    for (let i = 0; i < 20; i++) w.record(frame(100, i), 0, 100); // 116 bytes each: ~8 per chunk
    expect(sink.chunks.length).toBeGreaterThanOrEqual(2);
    accept = false;
    w.flush();
    expect(w.stats.dropped).toBeGreaterThan(0);
    expect(w.stats.packets + w.stats.dropped).toBe(20);
    const { records } = readPcap(sink.bytes());
    expect(records.length).toBe(w.stats.packets);
    expect(records.map((r) => r.data[0])).toEqual([...Array(records.length).keys()]);
  });

  it('reads big-endian microsecond files written by other tools', () => {
    const b = new Uint8Array(PCAP_HEADER_LEN + 16 + 4);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0xa1b2c3d4, false);
    v.setUint16(4, 2, false);
    v.setUint16(6, 4, false);
    v.setUint32(16, 65535, false);
    v.setUint32(20, 1, false);
    v.setUint32(24, 5, false);
    v.setUint32(28, 7, false); // 7 µs
    v.setUint32(32, 4, false);
    v.setUint32(36, 60, false);
    b.set([1, 2, 3, 4], 40);
    const { header, records } = readPcap(b);
    expect(header).toMatchObject({ littleEndian: false, resolution: 'us', snaplen: 65535 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ sec: 5, nsec: 7000, caplen: 4, origlen: 60 });
    expect([...records[0].data]).toEqual([1, 2, 3, 4]);
  });

  it('refuses what is not a pcap file, and stops cleanly at a partial record', () => {
    expect(() => new PcapReader(new Uint8Array(10))).toThrow(PcapFormatError);
    expect(() => parsePcapHeader(new DataView(new Uint8Array(24).buffer))).toThrow(/bad magic/);
    const sink = memorySink();
    const w = new PcapWriter({ sink });
    w.record(frame(60), 0, 60);
    w.record(frame(60), 0, 60);
    w.close();
    const cut = sink.bytes().subarray(0, sink.bytes().length - 10);
    const r = new PcapReader(cut);
    expect([...r]).toHaveLength(1);
    expect(r.truncatedTail).toBe(16 + 60 - 10);
    const absurd = sink.bytes().slice();
    new DataView(absurd.buffer).setUint32(PCAP_HEADER_LEN + 8, 0x7fffffff, true);
    expect(() => [...new PcapReader(absurd)]).toThrow(/claims/);
  });
});
