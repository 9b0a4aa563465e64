// Reading Chart.yaml out of a packaged chart's tar (already gunzipped): Helm's loader takes the
// one at the archive's top directory (NAME/Chart.yaml); subcharts' (NAME/charts/x/Chart.yaml)
// are deeper. ustar headers, with GNU long names and pax `path` records honoured.

const BLOCK = 512;

/** The text of NAME/Chart.yaml in `tar`, or undefined when the archive has none. Throws on a tar that is cut short. */
export function chartYamlIn(tar: Buffer): string | undefined {
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return undefined; // end of archive
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error(`a tar header at byte ${offset} has no size`);
    const type = String.fromCharCode(header[156]!);
    const body = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    if (body.length < size) throw new Error('the tar is cut short');
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if ((type === '0' || type === '\0') && /^(?:\.\/)?[^/]+\/Chart\.yaml$/.test(name)) return body.toString('utf8');
  }
  return undefined;
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}
