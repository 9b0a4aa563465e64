// The registry's answer that skopeo's last line hides. When a registry refuses an index PUT (an
// immutable tag on ECR, a type quay.io does not take, a 500), skopeo goes on to the other index
// type, which --preserve-digests forbids, and ends with only "Manifest list must be converted to
// type … but we cannot modify it": as if skopeo could not copy the index, while the registry
// refused it (engine: native is refused alike). Only `skopeo --debug` prints the answer, on a line
// of its own; a copy that failed so is run again with it, and that line is taken as its failure.

// `level=debug msg="Upload of manifest list type application/vnd.oci.image.index.v1+json failed:
// uploading manifest v1.0.0 to host/repo: tag invalid: The image tag 'v1.0.0' already exists …"`
const INDEX_UPLOAD_FAILED = /\blevel=debug\s+msg="(Upload of manifest list type \S+ failed: (?:[^"\\]|\\.)*)"/g;

/** skopeo's global flag for a re-run whose output should show the registry's answer. */
export const DEBUG_FLAG = '--debug';

/**
 * skopeo's own words for the registry's answer to the index PUT in a `--debug` run's stderr
 * (the first refusal: the index's own type, before any conversion), or undefined when the run
 * never had an index PUT refused (skopeo really could not copy the index unchanged).
 */
export function hiddenIndexRefusal(debugStderr: string): string | undefined {
  const found = [...debugStderr.matchAll(INDEX_UPLOAD_FAILED)].at(0);
  return found ? found[1]!.replace(/\\(["\\])/g, '$1') : undefined;
}
