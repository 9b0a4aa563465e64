#!/usr/bin/env bash
# Packs regmirror into DEST/regmirror-VERSION.tgz (npm pack; `prepare` builds dist/ and bundle/ first) and
# prints the tarball's path. The package test, the GitHub Action and the Dockerfile all pack
# with this script, so what they install is one thing.
set -euo pipefail
dest="$(mkdir -p "${1:?usage: pack.sh DEST}" && cd "$1" && pwd)"
cd "$(dirname "$0")/.."
name="$(npm pack --silent --pack-destination "$dest" | tail -n 1)"
echo "$dest/$name"
