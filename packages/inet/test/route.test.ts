import { describe, expect, it } from 'vitest';
import { InetError, formatAddr, inetFor, parseAddr, udpFor } from '../src/index.js';
import { createChannel, setup } from './helpers.js';

function world() {
  const w = setup();
  const ch0 = createChannel(w.host);
  const ch1 = createChannel(w.host);
  const inet = inetFor(w.host);
  inet.addAddress(ch0.ifp, '10.0.0.1/24');
  inet.addAddress(ch1.ifp, '192.168.1.10/24');
  return { ...w, ch0, ch1, inet };
}

describe('routing table', () => {
  it('chooses the longest prefix, and passes the gateway (not the destination) to the link layer as next hop', () => {
    const { sim, host, ch0, ch1, inet } = world();
    inet.routes.add('10.1.0.0/16', '10.0.0.2');
    inet.routes.add('10.1.2.0/24', '10.0.0.3');
    inet.routes.add('10.1.2.3', '10.0.0.4');
    inet.routes.add('default', '192.168.1.1');
    const choice = (a: string) => {
      const r = inet.routes.lookup(parseAddr(a))!;
      return `${r.ifp.name} ${r.gateway === 0 ? r.kind : formatAddr(r.gateway)}`;
    };
    expect(choice('10.1.2.3')).toBe('ch0 10.0.0.4');
    expect(choice('10.1.2.4')).toBe('ch0 10.0.0.3');
    expect(choice('10.1.9.9')).toBe('ch0 10.0.0.2');
    expect(choice('8.8.8.8')).toBe('ch1 192.168.1.1');
    expect(choice('10.0.0.77')).toBe('ch0 connected');
    expect(choice('10.0.0.1')).toBe('lo0 local');
    expect(choice('127.0.0.1')).toBe('lo0 local');

    const s = udpFor(host).socket();
    for (const dst of ['10.1.2.3', '10.1.2.4', '10.1.9.9', '10.0.0.77', '8.8.8.8']) s.sendTo(new Uint8Array(1), dst, 9);
    sim.runUntilIdle();
    expect(ch0.sent.map((p) => formatAddr(p.dst as number))).toEqual(['10.0.0.4', '10.0.0.3', '10.0.0.2', '10.0.0.77']);
    expect(ch1.sent.map((p) => formatAddr(p.dst as number))).toEqual(['192.168.1.1']);
    expect(ch0.sent.every((p) => p.proto === 0x0800)).toBe(true);
    // Source address: the address of the outgoing interface.
    expect(ch1.sent[0].bytes.subarray(12, 16)).toEqual(Uint8Array.from([192, 168, 1, 10]));
    s.close();
    host.pool.assertQuiescent();
  });

  it('lists, deletes, and refuses what cannot be done', () => {
    const { inet } = world();
    inet.routes.add('default', '192.168.1.1');
    inet.routes.add('172.16.0.0/12', '10.0.0.254');
    expect(inet.routes.list().map((r) => `${r.destination} ${r.gateway} ${r.interface} ${r.kind} ${r.source}`)).toEqual(
      [
        '127.0.0.1/32 local lo0 local 127.0.0.1',
        '10.0.0.1/32 local lo0 local 10.0.0.1',
        '192.168.1.10/32 local lo0 local 192.168.1.10',
        '10.0.0.0/24 link ch0 connected 10.0.0.1',
        '192.168.1.0/24 link ch1 connected 192.168.1.10',
        '172.16.0.0/12 10.0.0.254 ch0 static 10.0.0.1',
        '127.0.0.0/8 link lo0 connected 127.0.0.1',
        'default 192.168.1.1 ch1 static 192.168.1.10',
      ],
    );
    const code = (f: () => unknown) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return (e as InetError).code;
      }
    };
    expect(code(() => inet.routes.add('default', '192.168.1.1'))).toBe('exists');
    expect(code(() => inet.routes.add('10.9.0.0/16', '172.16.0.1'))).toBe('no-route'); // gateway behind a gateway
    expect(code(() => inet.routes.add('10.9.0.0/16', '10.0.0.1'))).toBe('no-route'); // a local address
    expect(code(() => inet.routes.add('10.9.0.0/16'))).toBe('no-route');
    expect(code(() => inet.routes.add('10.9.0.0/33', '10.0.0.2'))).toBe('bad-address');
    expect(code(() => inet.routes.delete('10.8.0.0/16'))).toBe('not-found');
    const gen = inet.routes.generation;
    expect(inet.routes.delete('default').gateway).toBe(parseAddr('192.168.1.1'));
    expect(inet.routes.generation).toBe(gen + 1);
    expect(inet.routes.lookup(parseAddr('8.8.8.8'))).toBeUndefined();
    expect(inet.selectSource(parseAddr('8.8.8.8'))).toBe(-1);
  });

  it('removing an address removes its routes and the static routes that depended on it', () => {
    const { host, ch0, inet } = world();
    inet.routes.add('172.16.0.0/12', '10.0.0.254');
    expect(() => inet.addAddress(ch0.ifp, '10.0.0.1/24')).toThrow(InetError);
    expect(() => inet.addAddress(ch0.ifp, '10.0.0.0/24')).toThrow(InetError);
    expect(() => inet.addAddress(ch0.ifp, '224.0.0.5/24')).toThrow(InetError);
    inet.removeAddress(ch0.ifp, '10.0.0.1');
    expect(inet.routes.list().map((r) => r.destination)).toEqual([
      '127.0.0.1/32',
      '192.168.1.10/32',
      '192.168.1.0/24',
      '127.0.0.0/8',
    ]);
    expect(inet.addresses(ch0.ifp)).toEqual([]);
    expect(() => inet.removeAddress(ch0.ifp, '10.0.0.1')).toThrow(InetError);
    // With no route, sending is an error for the caller.
    const s = udpFor(host).socket();
    expect(() => s.sendTo(new Uint8Array(1), '10.0.0.9', 9)).toThrow(expect.objectContaining({ code: 'no-route' }));
    s.close();
    host.pool.assertQuiescent();
  });
});
