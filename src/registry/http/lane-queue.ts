// The waiters of one lane of a host's request slots (limiter.ts), in the order they are served:
// by priority, then age. Apart from the slots themselves, which decide when a lane has room.
import type { Lane } from './types.js';

export interface Waiter {
  /** Lower goes first (CallOptions.priority); the same priority goes in the order asked. */
  priority: number;
  ticket: number;
  lane: Lane;
  /** Set when the caller gave up while queued: skipped, never granted. */
  cancelled: boolean;
  grant: (release: () => void) => void;
  /** Gives up waiting: skipped when its turn comes. */
  cancel: (reason?: Error) => void;
}

/** Whether `a` is served before `b`. */
export function before(a: Waiter, b: Waiter): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.ticket < b.ticket);
}

/** The waiters of a lane, first the one `before` all others: a binary heap, O(log n) either way. */
export class Queue {
  private items: Waiter[] = [];

  push(w: Waiter): void {
    const items = this.items;
    let i = items.push(w) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(w, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = w;
  }

  /** The first waiter still wanting a slot. */
  peek(): Waiter | undefined {
    while (this.items.length > 0 && this.items[0]!.cancelled) this.shift();
    return this.items[0];
  }

  shift(): void {
    const items = this.items;
    const last = items.pop();
    if (last === undefined || items.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const child = left + 1 < items.length && before(items[left + 1]!, items[left]!) ? left + 1 : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
  }
}
