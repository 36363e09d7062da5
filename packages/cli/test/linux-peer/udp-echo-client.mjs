// Runs inside the Linux peer's namespace: sends one UDP datagram of every size from MIN to MAX bytes to
// the ifnet host's echo service from an ordinary Linux socket, WINDOW at a time, and checks that each
// comes back byte for byte. Sizes are unique, so an echo is matched by its length. Prints one JSON line.
import { createSocket } from 'node:dgram';

const [host, port, min, max, window] = [
  process.argv[2],
  +process.argv[3],
  +process.argv[4],
  +process.argv[5],
  +(process.argv[6] ?? 8),
];
const payload = (n) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (n * 7 + i * 13) & 0xff;
  return b;
};
const s = createSocket('udp4');
const pending = new Map(); // size -> { timer, tries }
const result = { sent: 0, echoed: 0, corrupt: 0, retries: 0, lost: [] };
let next = min;
let done;
const finished = new Promise((r) => (done = r));

function send(n, tries) {
  result.sent++;
  const timer = setTimeout(() => {
    pending.delete(n);
    if (tries < 3) {
      result.retries++;
      send(n, tries + 1);
    } else {
      result.lost.push(n);
      pump();
    }
  }, 1000);
  pending.set(n, { timer, tries });
  s.send(payload(n), port, host);
}

function pump() {
  while (pending.size < window && next <= max) send(next++, 1);
  if (pending.size === 0 && next > max) done();
}

s.on('message', (msg) => {
  const p = pending.get(msg.length);
  if (p === undefined) return;
  clearTimeout(p.timer);
  pending.delete(msg.length);
  if (msg.equals(payload(msg.length))) result.echoed++;
  else result.corrupt++;
  pump();
});
s.bind(0, () => pump());
await finished;
s.close();
console.log(JSON.stringify(result));
