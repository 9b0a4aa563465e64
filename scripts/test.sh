#!/usr/bin/env bash
# What `npm test` runs: check tools, build, compile the tests, run every unit and integration
# test file with node's test runner, and end with its summary (# tests / # pass / # fail).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
npm run build --silent
rm -rf .build-test
npx tsc -p tsconfig.test.json
node scripts/build-validator.mjs .build-test/src

mapfile -t files < <(find .build-test/test/unit .build-test/test/integration -name '*.test.js' 2>/dev/null | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "test.sh: no test files found under .build-test/test" >&2
  exit 1
fi

# spec for people on stdout; TAP to a file for the summary lines. A single test may take at most
# 5 minutes and the whole run 60, so a hang fails the job instead of eating CI's time budget.
# Three files at a time on CI's 2 cores: the suite mostly waits (registries starting, timeouts it
# provokes, rate limits), using 1.1 cores on average with three; with two it took 25 minutes.
tap="$(mktemp)"
# The developer's own registry logins (docker's config.json, podman's auth.json) must not reach a
# test, in-process or spawned: every test starts from empty ones.
logins="$(mktemp -d)"
trap 'rm -rf "$tap" "$logins"' EXIT
# (podman wants the config.json DOCKER_CONFIG names to exist: an empty one.)
mkdir -p "$logins/docker" "$logins/config" && echo '{}' > "$logins/docker/config.json"
export DOCKER_CONFIG="$logins/docker" XDG_CONFIG_HOME="$logins/config"
unset REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
status=0
timeout --signal=TERM --kill-after=30s 60m \
  node --test --test-concurrency=3 --test-timeout=300000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "${files[@]}" || status=$?

echo
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" || true
if [ "$status" -eq 124 ]; then echo "test.sh: the test run exceeded 60 minutes and was stopped" >&2; fi
exit "$status"
