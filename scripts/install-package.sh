#!/usr/bin/env bash
# Installs a packed regmirror tarball into PREFIX (PREFIX/bin/regmirror) with its runtime
# dependencies only. Packages come from npm's cache when it has them and from the npm registry
# otherwise; npm checks each against its registry integrity hash either way. The package test,
# the GitHub Action and the Dockerfile all install with this script.
set -euo pipefail
prefix="${1:?usage: install-package.sh PREFIX TARBALL}"
tarball="${2:?usage: install-package.sh PREFIX TARBALL}"
# An absolute path: npm reads a relative "dir/name.tgz" as a GitHub "owner/repo" shorthand.
tarball="$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"
mkdir -p "$prefix"
npm install --global --prefix "$prefix" --prefer-offline --no-audit --no-fund --loglevel=error "$tarball"
"$prefix/bin/regmirror" --version >/dev/null
