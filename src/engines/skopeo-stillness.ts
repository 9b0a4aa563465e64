// skopeo sets no time limit on an answer over a connection already open: a registry that hangs
// mid-copy (its process stopped, or a body that stalls after its headers) holds a `skopeo copy`
// for good, and the run with it (skopeo3's hunt: copies started before the hang still waiting
// after 5 minutes). The native client ends such a request at its answer timeout. For a skopeo
// run, the kernel's count of the bytes it read and wrote (/proc/PID/io: rchar + wchar, sockets
// and files alike) says whether it still moves: a run that moved nothing for as long as the
// native client waits for an upload's answer is stopped, and its copy run again as after a
// dropped connection.
import { readFile } from 'node:fs/promises';

/** How long a skopeo run may move no byte at all: the native client's wait for an upload's answer (pool-limits.ts). */
export const STILLNESS_MS = 300_000;

/**
 * The last line of a run stopped so (skopeo-errors.ts TRANSIENT runs it again). `side`, where the
 * run's sockets told it (skopeo-stuck-side.ts: a registry that stopped taking what skopeo sent);
 * otherwise no side: skopeo streams a source blob into the target's upload, so a source that
 * stalls leaves the target's request waiting too, and its --debug log ends on that.
 */
export function stillnessLine(ms: number, side?: string): string {
  return `skopeo read or wrote nothing for ${Math.round(ms / 1000)} s (${side ?? NO_SIDE}): stopped`;
}

const NO_SIDE = 'a registry holding a request without answering';

/** Whether `line` is stillnessLine's with no side told: its copy error names neither side alone (skopeo-errors.ts). */
export function stillWithNoSide(line: string): boolean {
  return line.includes(`s (${NO_SIDE}): stopped`) && /read or wrote nothing for \d+ s/.test(line);
}

// rchar + wchar of a process, or undefined where /proc has no such file (not Linux; the process gone).
async function movedBytes(pid: number): Promise<number | undefined> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined);
  if (io === undefined) return undefined;
  const count = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
  return count('rchar') + count('wchar');
}

// Go's runtime reads and writes a few bytes now and then on its own (2 bytes every half second
// seen from a skopeo waiting on a stalled body): moving less than this is moving nothing.
const NOISE_BYTES = 4096;

/**
 * Calls `onStill` once when process `pid` has moved no more than NOISE_BYTES for `ms`; checks a
 * few times in that span. Returns what stops the watch. Where /proc cannot be read there is
 * nothing to watch.
 */
export function watchStillness(pid: number | undefined, ms: number, onStill: () => void): () => void {
  if (pid === undefined) return () => {};
  let mark: number | undefined;
  let since = Date.now();
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    void movedBytes(pid).then((moved) => {
      reading = false;
      if (moved === undefined) return clearInterval(timer);
      if (mark === undefined || moved - mark > NOISE_BYTES) {
        mark = moved;
        since = Date.now();
      } else if (Date.now() - since >= ms) {
        clearInterval(timer);
        onStill();
      }
    });
  }, Math.max(100, Math.round(ms / 10)));
  timer.unref();
  return () => clearInterval(timer);
}
