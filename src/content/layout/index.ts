// The OCI image layout store's public face: `oci:DIR` repositories for sources and targets.
export { LayoutRepository, openLayoutRepository } from './repository.js';
export { REF_NAME } from './index-file.js';
