// Which side a skopeo run that stopped moving was stuck on, where the kernel can tell. skopeo's own
// output cannot: it streams a source blob into the target's upload and logs a request as it starts
// (even with --debug), so a source that stops sending and a target that stops taking look alike.
// Its sockets can: bytes skopeo wrote that a registry has not taken wait in the connection's send
// queue (/proc/PID/net/tcp's tx_queue), so a target that stopped reading an upload is named. With
// nothing waiting to be sent, skopeo was waiting to read (a blob's bytes or an answer), from one
// side or the other: no side is named then.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { formatBytes } from '../types/size.js';

/** The `host:port` skopeo connects to for each side (SkopeoAddress.host), when a registry. */
export interface SkopeoSides {
  source?: string;
  target?: string;
}

/**
 * `the target 127.0.0.1:5000 took none of what skopeo was sending it (3.0 MiB waiting)`, or
 * undefined where no socket of the run holds unsent bytes for a side (or /proc cannot be read).
 */
export async function stuckSide(pid: number | undefined, sides: SkopeoSides): Promise<string | undefined> {
  if (pid === undefined) return undefined;
  try {
    const inodes = await socketInodes(pid);
    const waiting = new Map<string, number>();
    for (const table of ['tcp', 'tcp6']) {
      const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
      for (const row of text.split('\n').slice(1)) {
        const f = row.trim().split(/\s+/);
        const unsent = parseInt(f[4]?.split(':')[0] ?? '0', 16);
        if (f.length < 10 || !inodes.has(f[9]!) || !(unsent > 0)) continue;
        const remote = endpointOf(f[2]!);
        waiting.set(remote, (waiting.get(remote) ?? 0) + unsent);
      }
    }
    for (const role of ['target', 'source'] as const) {
      const address = sides[role];
      if (!address) continue;
      const bytes = (await addressesOf(address)).reduce((n, a) => n + (waiting.get(a) ?? 0), 0);
      if (bytes > 0) return `the ${role} ${address} took none of what skopeo was sending it (${formatBytes(bytes)} waiting unsent${role === 'target' ? ': an upload it stopped reading' : ''})`;
    }
  } catch {
    // The process gone, or /proc not Linux's: nothing to tell.
  }
  return undefined;
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const out = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode) out.add(inode);
  }
  return out;
}

// `0100007F:1F90` → `127.0.0.1:8080`; an IPv6 row (four little-endian words) → `[::1]:8080`, and
// an IPv4-mapped one as IPv4.
function endpointOf(hex: string): string {
  const [ip, port] = hex.split(':') as [string, string];
  const words = ip.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  const p = parseInt(port, 16);
  if (bytes.length === 4) return `${bytes.join('.')}:${p}`;
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return `${bytes.slice(12).join('.')}:${p}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]:${p}`;
}

// `registry.internal:5000` → its addresses as endpointOf writes them (443 without a port: skopeo's TLS default).
async function addressesOf(address: string): Promise<string[]> {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
  if (!m) return [];
  const port = m[2] ?? '443';
  const found = await lookup(m[1]!.replace(/^\[|\]$/g, ''), { all: true }).catch(() => []);
  return found.map((a) => (a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`));
}
