// Each image's public keys, read once per run (loadConfig already checked the files).
import type { KeyObject } from 'node:crypto';
import type { ImageWork } from '../config/workitems.js';
import { loadKeys } from './keys.js';

/** Each image that asks for signatures, with its keys; a file shared by several images is read once. */
export async function imageKeys(work: ImageWork[]): Promise<Map<ImageWork, KeyObject[]>> {
  const files = new Map<string, Promise<KeyObject[]>>();
  const out = new Map<ImageWork, KeyObject[]>();
  for (const w of work) {
    const policy = w.item.signatures;
    if (!policy) continue;
    const keys = await Promise.all(
      policy.keys.map((p) => {
        let loaded = files.get(p);
        if (!loaded) files.set(p, (loaded = loadKeys([p])));
        return loaded;
      }),
    );
    out.set(w, keys.flat());
  }
  return out;
}
