#!/usr/bin/env bash
# matrix.sh: run shipshape's Docker-dependent tests on every newer engine of
# the test bed, one after the other: Engine 26 with the classic image store
# and Engine 26 with the containerd image store, each in a container of the
# host daemon (engine.sh), and on Engine 26 without a default bridge the
# tests that prove checks need no network. The host's own engine is tested
# by `make test`.
#
#   bash exercises/testbed/matrix.sh            # both variants
#   SHIPSHAPE_ENGINES=26 bash exercises/testbed/matrix.sh
#
# Each engine gets the real python:3.13-slim twin (python-base.sh imports
# the cached tarball) through the tests themselves. After each variant the
# script checks that the tests left no container or image of theirs on it,
# then stops it; at the end the engine image is removed from the host
# (the cached tarballs stay, so the next run starts an engine in seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."

variants=${SHIPSHAPE_ENGINES:-26 26-containerd 26-nobridge}
pkgs=(./cmd/shipshape ./internal/attempt ./internal/check ./internal/checklist ./internal/docker ./internal/grade ./internal/lab ./exercises/testbed)
engine=exercises/testbed/engine.sh
cache=${SHIPSHAPE_TESTBED_CACHE:-/var/cache/shipshape-testbed}

# One run per test bed instance at a time: a second run (a CI job beside a
# developer's check on the same machine) waits here instead of removing
# the engines the first one is testing on. Set SHIPSHAPE_TESTBED_INSTANCE
# to run beside another run instead.
mkdir -p "$cache"
lock=$cache/matrix${SHIPSHAPE_TESTBED_INSTANCE:+-$SHIPSHAPE_TESTBED_INSTANCE}.lock
exec 9>"$lock"
if ! flock -n 9; then
	echo "matrix: another run holds $lock: waiting for it (up to 60 min)"
	flock -w 3600 9 || { echo "matrix: $lock still held after 60 min" >&2; exit 1; }
fi

started=()
cleanup() {
	for v in "${started[@]}"; do
		bash "$engine" stop "$v" >/dev/null 2>&1 || true
	done
	bash "$engine" clean >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()
for v in $variants; do
	t0=$SECONDS
	host=$(bash "$engine" start "$v")
	started+=("$v")
	echo "matrix: Engine $v at $host"
	DOCKER_HOST=$host docker version --format 'matrix: Docker Engine {{.Server.Version}} (API {{.Server.APIVersion}})'
	# BuildKit for the docker CLI the tests call, without touching ~/.docker.
	status=0
	run=()
	if [ "$v" = 26-nobridge ]; then
		# Without a bridge only containers with a network of their own
		# start; the suite's fixtures use the default network, so only
		# the tests about that world run here.
		run=(-run 'TestWithoutDefaultBridge|TestReferenceSolutions' ./cmd/shipshape)
	else
		run=("${pkgs[@]}")
	fi
	DOCKER_HOST=$host DOCKER_CONFIG=$cache/docker-config SHIPSHAPE_ENGINE=$v \
		go test -count=1 -timeout 25m "${run[@]}" || status=$?
	# What the tests made carries the managed label; none may be left.
	left=$(DOCKER_HOST=$host docker ps -aq --filter label=dev.shipshape.managed=true | wc -l)
	lefti=$(DOCKER_HOST=$host docker images -aq --filter label=dev.shipshape.managed=true | wc -l)
	if [ "$left" != 0 ] || [ "$lefti" != 0 ]; then
		echo "matrix: Engine $v: the tests left $left containers and $lefti images behind" >&2
		DOCKER_HOST=$host docker ps -a >&2
		DOCKER_HOST=$host docker images -a >&2
		status=1
	fi
	bash "$engine" stop "$v" >/dev/null
	echo "matrix: Engine $v done in $((SECONDS - t0)) s (status $status)"
	if [ "$status" != 0 ]; then
		failed+=("$v")
	fi
done
if [ "${#failed[@]}" != 0 ]; then
	echo "matrix: failed on: ${failed[*]}" >&2
	exit 1
fi
echo "matrix: every engine passed: $variants"
