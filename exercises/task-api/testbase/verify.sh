#!/usr/bin/env bash
# verify.sh: build the python stand-in, then build the Task API starter and every
# reference solution against it on the local Docker daemon, run each image and
# check what the exercises promise:
#   starter:   runs as UID 0, no HEALTHCHECK, serves /health, stops on SIGTERM;
#   solutions: USER 10001:10001, process UID 10001, becomes healthy, stops on
#              SIGTERM with exit code 0 well before the stop timeout;
#   3.2-3.4:   venv launchers in /opt/venv/bin, .dockerignore keeps .env, .venv,
#              caches and tests out, healthy with --read-only --tmpfs /tmp;
#   3.1 without TASK_API_DATABASE_PATH: the container exits (database not writable);
#   solutions/3.4/measure.sh runs and finds prod smaller than dev.
# Everything it creates (images, intermediate images, containers, anonymous
# volumes) carries the label dev.shipshape.verify=verify-<pid> and is removed at
# the end. Needs bash, docker, busybox (see build.sh); no network. Prints one
# line per check; exits 1 on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
exercises=$(cd "$here/.." && pwd)
run_id="verify-$$"
label="dev.shipshape.verify=$run_id"
base="shipshape-test/python-standin:$run_id"
repo="shipshape-verify/task-api"
work=$(mktemp -d "${TMPDIR:-/tmp}/task-api-verify.XXXXXX")
failures=0

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$label")
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086 # one id per word
		docker rm -f -v $ids >/dev/null
	fi
	# The stand-in, every image built on it and the builder's intermediate images
	# all carry $label (see STANDIN_LABEL in build.sh). Newest first, so children go
	# before their parents; a second round catches what a shared parent held back.
	local id _
	for _ in 1 2; do
		for id in $(docker images -a -q --filter "label=$label" | awk '!seen[$0]++'); do
			docker rmi -f "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

pass() { printf 'ok    %s\n' "$*"; }
fail() {
	printf 'FAIL  %s\n' "$*"
	failures=$((failures + 1))
}
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# context VARIANT [SOLUTION_DIR]: the starter, plus the solution's files on top,
# plus the clutter a learner's folder has, which .dockerignore must keep out.
context() {
	local dir="$work/$1"
	mkdir -p "$dir"
	cp -R "$exercises/starter/." "$dir/"
	if [[ -n ${2:-} ]]; then
		cp -R "$2/." "$dir/"
	fi
	printf 'TASK_API_API_TOKEN=do-not-ship-me\n' >"$dir/.env"
	mkdir -p "$dir/.venv/bin" "$dir/__pycache__" "$dir/tests/__pycache__"
	printf 'x' >"$dir/__pycache__/main.cpython-313.pyc"
	printf 'x' >"$dir/tests/__pycache__/test_api.cpython-313.pyc"
	printf '%s\n' "$dir"
}

build() { # build TAG DIR
	if docker build -q --force-rm --label "$label" --build-arg "PYTHON_IMAGE=$base" -t "$1" "$2" >"$work/build.log" 2>&1; then
		pass "build $1"
	else
		fail "build $1"
		sed 's/^/      /' "$work/build.log"
		return 1
	fi
}

wait_health_endpoint() { # CONTAINER: poll /health from inside, up to 20 s
	local i
	for ((i = 0; i < 200; i++)); do
		if docker exec "$1" timeout 1 wget -q -O /dev/null http://127.0.0.1:8000/health 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

wait_healthy() { # CONTAINER: wait for Docker's health status, up to 40 s
	local i status
	for ((i = 0; i < 400; i++)); do
		status=$(docker inspect --format '{{.State.Health.Status}}' "$1")
		case $status in
		healthy) return 0 ;;
		unhealthy) return 1 ;;
		esac
		sleep 0.1
	done
	return 1
}

stop_and_check() { # NAME CONTAINER
	local t0 t1 code
	t0=$(now_ms)
	docker stop -t 10 "$2" >/dev/null
	t1=$(now_ms)
	code=$(docker inspect --format '{{.State.ExitCode}}' "$2")
	if [[ $code == 0 ]] && ((t1 - t0 < 5000)); then
		pass "$1: docker stop took $((t1 - t0)) ms, exit code $code"
	else
		fail "$1: docker stop took $((t1 - t0)) ms, exit code $code (want 0, well under 10 s)"
	fi
	printf '      last log line: %s\n' "$(docker logs "$2" 2>&1 | tail -n 1)"
}

STANDIN_LABEL="$label" sh "$here/build.sh" "$base" >/dev/null
docker image inspect --format '{{index .Config.Labels "dev.shipshape.managed"}}' "$base" | grep -qx true &&
	pass "stand-in $base labeled dev.shipshape.managed=true"

# ---- starter ----
tag="$repo:dev-$run_id"
if build "$tag" "$(context starter)"; then
	[[ -z $(docker image inspect --format '{{.Config.User}}' "$tag") ]] && pass "starter: no USER"
	[[ $(docker image inspect --format '{{json .Config.Healthcheck}}' "$tag") == null ]] && pass "starter: no HEALTHCHECK"
	uid=$(docker run --rm --label "$label" "$tag" id -u)
	if [[ $uid == 0 ]]; then pass "starter: docker run id -u = $uid"; else fail "starter: id -u = $uid, want 0"; fi
	c=$(docker run -d --label "$label" "$tag")
	if wait_health_endpoint "$c"; then pass "starter: /health answers"; else fail "starter: /health never answered"; fi
	puid=$(docker exec "$c" awk '/^Uid:/ { print $2 }' /proc/1/status)
	if [[ $puid == 0 ]]; then pass "starter: PID 1 runs as UID $puid"; else fail "starter: PID 1 UID $puid"; fi
	stop_and_check starter "$c"
fi

# ---- solutions ----
for ex in 3.1 3.2 3.3 3.4; do
	tag="$repo:prod-${ex/./}-$run_id"
	build "$tag" "$(context "$ex" "$exercises/solutions/$ex")" || continue
	user=$(docker image inspect --format '{{.Config.User}}' "$tag")
	if [[ $user == 10001:10001 ]]; then pass "$ex: USER $user"; else fail "$ex: USER '$user', want 10001:10001"; fi
	form=$(docker image inspect --format '{{index .Config.Healthcheck.Test 0}} {{index .Config.Cmd 0}}' "$tag")
	if [[ $form == "CMD uvicorn" ]]; then pass "$ex: exec-form HEALTHCHECK and CMD"; else fail "$ex: HEALTHCHECK/CMD form: $form"; fi
	uid=$(docker run --rm --label "$label" "$tag" id)
	if [[ $uid == uid=10001* ]]; then pass "$ex: docker run id = $uid"; else fail "$ex: docker run id = $uid"; fi
	t0=$(now_ms)
	c=$(docker run -d --label "$label" "$tag")
	if wait_healthy "$c"; then
		pass "$ex: healthy after $(($(now_ms) - t0)) ms"
	else
		fail "$ex: not healthy: $(docker inspect --format '{{json .State.Health}}' "$c")"
	fi
	printf '      health: %s\n' "$(docker inspect --format '{{json .State.Health}}' "$c" | cut -c1-160)"
	puid=$(docker exec "$c" awk '/^Uid:/ { print $2 }' /proc/1/status)
	if [[ $puid == 10001 ]]; then pass "$ex: PID 1 runs as UID $puid"; else fail "$ex: PID 1 UID $puid"; fi
	if [[ $ex != 3.1 ]]; then
		if docker exec "$c" test -x /opt/venv/bin/uvicorn; then pass "$ex: /opt/venv/bin/uvicorn present"; else fail "$ex: no /opt/venv/bin/uvicorn"; fi
		leaked=$(docker exec "$c" sh -c 'cd /app && ls -d .env .venv __pycache__ tests requirements-dev.txt 2>/dev/null' || true)
		if [[ -z $leaked ]]; then pass "$ex: .dockerignore kept .env, .venv, caches and tests out"; else fail "$ex: in /app: $leaked"; fi
	fi
	if docker exec "$c" touch /app/probe 2>/dev/null; then fail "$ex: /app writable by the app"; else pass "$ex: /app read-only for UID 10001"; fi
	if docker exec "$c" touch /data/probe; then pass "$ex: /data writable for UID 10001"; else fail "$ex: /data not writable"; fi
	stop_and_check "$ex" "$c"
	if [[ $ex == 3.2 ]]; then
		ro=$(docker run -d --label "$label" --read-only --tmpfs /tmp "$tag")
		if wait_healthy "$ro"; then pass "$ex: healthy with --read-only --tmpfs /tmp"; else fail "$ex: not healthy read-only"; fi
	fi
done

# ---- a broken 3.1: non-root without a writable database directory ----
dir=$(context broken "$exercises/solutions/3.1")
sed -i.orig '/^ENV TASK_API_DATABASE_PATH/d' "$dir/Dockerfile"
tag="$repo:broken-$run_id"
if build "$tag" "$dir"; then
	c=$(docker run -d --label "$label" "$tag")
	code=$(docker wait "$c")
	if [[ $code != 0 ]]; then
		pass "broken 3.1 exits with $code: $(docker logs "$c" 2>&1 | head -n 1 | cut -c1-120)"
	else
		fail "broken 3.1 exited 0"
	fi
fi

# ---- measure.sh of exercise 3.4, on the stand-in dev and 3.4 images ----
if IDLE_SECONDS=2 bash "$exercises/solutions/3.4/measure.sh" "$repo:dev-$run_id" "$repo:prod-34-$run_id" >"$work/measure.out" 2>&1 &&
	grep -q 'smaller than' "$work/measure.out"; then
	pass "measure.sh ran:"
else
	fail "measure.sh:"
fi
sed 's/^/      /' "$work/measure.out"

if ((failures > 0)); then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
