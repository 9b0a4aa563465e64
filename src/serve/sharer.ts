// One client's stream of a read it shares with others (shared-read.ts): fed from the bytes the
// read keeps while it keeps up, and from a read of its own once it is left behind.
import { Readable } from 'node:stream';

/** A sharer's read of its own from byte `at` on (the bytes before it are already its client's). */
export type ReadAlone = (at: number) => Promise<Readable>;

/** The shared read, as its sharers see it. */
export interface SharedBytes {
  /** Hands `s` what it lacks of the bytes kept; reads on when it is at the head and wants more. */
  feed(s: Sharer): void;
  /** `s` ended or went away. */
  leave(s: Sharer): void;
}

/** One client's stream of a shared read, or (left behind) of a read of its own. */
export class Sharer extends Readable {
  /** The bytes handed to this stream so far: where its client is in the blob. */
  at = 0;
  wanting = false;
  /** Left behind: its bytes come from `own`, once that read is open. */
  private alone?: boolean;
  private own?: Readable;

  constructor(private readonly shared: SharedBytes, private readonly readAlone: ReadAlone) {
    super({ highWaterMark: 1 << 20 });
    // Its error is its client's answer to report (respond.ts); one not piped yet must not throw.
    this.on('error', () => {});
  }

  override _read(): void {
    this.wanting = true;
    if (this.own) this.own.resume();
    else if (!this.alone) this.shared.feed(this);
  }

  /** Pushes `chunk` (null: the end); false once this stream wants no more for now. */
  give(chunk: Buffer | null): boolean {
    if (chunk === null) {
      this.shared.leave(this);
      this.push(null);
      return false;
    }
    this.at += chunk.length;
    this.wanting = this.push(chunk);
    return this.wanting;
  }

  /** Left behind by the shared read: the rest comes from a read of its own. */
  goAlone(): void {
    this.alone = true;
    this.readAlone(this.at).then((own) => {
      if (this.destroyed) return void own.destroy();
      this.own = own;
      own.on('data', (chunk: Buffer) => {
        this.at += chunk.length;
        if (!this.push(chunk)) own.pause();
      });
      own.once('end', () => this.push(null));
      own.once('error', (e) => this.destroy(e));
    }, (e: Error) => this.destroy(e));
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.shared.leave(this);
    this.own?.destroy();
    done(err);
  }
}
