// Reading Chart.yaml out of a packaged chart (.tgz, as `helm package` writes it) with node-tar:
// Helm's loader takes the one at the archive's top directory (NAME/Chart.yaml); subcharts'
// (NAME/charts/x/Chart.yaml) are deeper.
import { Parser, type ReadEntry } from 'tar';

const TOP_CHART_YAML = /^(?:\.\/)?[^/]+\/Chart\.yaml$/;

/**
 * The text of NAME/Chart.yaml in a packaged chart, or undefined when it has none. Rejects a file
 * that is no gzipped tar, or is cut short (tar's or zlib's own words).
 */
export function chartYamlOf(tgz: Buffer): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let found: string | undefined;
    const parser = new Parser({
      // Strict: a damaged archive is an error, not a warning and a chart read from half of it.
      strict: true,
      filter: (path, entry) => (entry as ReadEntry).type === 'File' && TOP_CHART_YAML.test(path),
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => (found ??= Buffer.concat(chunks).toString('utf8')));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(found));
    parser.end(tgz);
  });
}
