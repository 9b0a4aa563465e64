// What a tag says about itself: the version it names, if any, and where it sorts. One rule for
// tag selection, the order of a run (releases before floating tags) and the order of reports.
// semver's per-function modules (documented in its README): the index loads every function and
// range helper, a measurable share of every run's start-up.
import parse from 'semver/functions/parse.js';
import compareBuild from 'semver/functions/compare-build.js';
import type SemVer from 'semver/classes/semver.js';

/** The start of every string semver's FULL grammar takes, once trimmed: `v?N.N.N`. */
const MAIN_VERSION_START = /^\s*v?\d+\.\d+\.\d+/;

/**
 * The semver version a tag names ("v" prefix ok), or null. Not semver.coerce: "v1.14" is no version.
 * A tag cannot hold `+`, so `helm push` stores a chart version's build metadata as `_`
 * (1.2.3+build.4 under the tag 1.2.3_build.4), and Helm reads it back so: that tag is the release.
 */
export function tagVersion(tag: string): SemVer | null {
  const version = tag.replaceAll('_', '+');
  const plain = version.startsWith('v') ? version.slice(1) : version;
  // semver answers a string that is no version with a thrown and caught error (about 16 µs, its
  // stack captured), asked of every tag a run sorts or copies (a signature's `sha256-….sig` too):
  // what cannot start as MAJOR.MINOR.PATCH (semver's FULL, after its trim) is no version.
  return MAIN_VERSION_START.test(plain) ? parse(plain) : null;
}

/** The tag a version is pushed under: Helm's, `+` (build metadata) written as `_`. */
export function tagSpelling(version: string): string {
  return version.replaceAll('+', '_');
}

/** The tag a name given as a tag or a version (--tag, explicit) is stored under: a version in Helm's spelling. */
export function tagNamed(name: string): string {
  return isReleaseTag(name) ? tagSpelling(name) : name;
}

/** True for a full semver version tag (`v1.14.0`, `1.14.0-rc.1`); the others (`latest`, `v1.14`) float. */
export function isReleaseTag(tag: string): boolean {
  return tagVersion(tag) !== null;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Release tags in ascending version order (`v1.2.0` < `v1.10.0`), then the others alphabetically. */
export function compareTags(a: string, b: string): number {
  const va = tagVersion(a);
  const vb = tagVersion(b);
  if (va && vb) return compareBuild(va, vb) || byCodeUnit(a, b);
  if (va) return -1;
  if (vb) return 1;
  return byCodeUnit(a, b);
}
