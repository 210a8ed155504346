#!/usr/bin/env bash
# verify-twin.sh: import the python:3.13-slim twin (python-base.sh; builds and caches
# the rootfs first if needed), then build the Task API starter and the reference
# solutions 3.1-3.4 on it with the local Docker daemon and check, with real Python:
#   1. the twin: Python 3.13.x, pip works, no app packages and no EXTERNALLY-MANAGED;
#   2. the unmodified starter: builds, imports fastapi/uvicorn/pydantic_settings,
#      `pip check` is clean, its tests pass (python -m pytest -q), /health answers;
#   3. each solution: builds, /health answers 200 on a published 127.0.0.1 port,
#      Docker reports healthy, the process runs as UID 10001, `docker stop` exits 0
#      in well under a second;
#   4. a shell-form CMD variant: /bin/sh (dash) stays PID 1 and `docker stop` takes
#      the whole timeout and ends with exit code 137.
# Everything it creates (the twin's tag, every image built on it, the classic
# builder's intermediate images, containers, anonymous volumes) carries the label
# dev.shipshape.verify=twin-<pid> and is removed at the end; the cached rootfs
# tarball stays (that is the point of the cache). Needs bash, docker and, for a
# first build, root and debootstrap (see python-base.sh); curl is optional.
# Prints one line per check; exits 1 if any failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
task_api=$(cd "$here/../task-api" && pwd)
run_id="twin-$$"
label="dev.shipshape.verify=$run_id"
base="shipshape-test/python:verify-$run_id"
repo="shipshape-verify/task-api-twin"
work=$(mktemp -d "${TMPDIR:-/tmp}/twin-verify.XXXXXX")
stop_timeout=10
failures=0

cleanup() {
	local ids id _
	ids=$(docker ps -aq --filter "label=$label")
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086 # one id per word
		docker rm -f -v $ids >/dev/null 2>&1 || true
	fi
	# The twin and everything built on it carry $label (TWIN_LABEL); newest first,
	# children before parents; a second round catches what a shared parent held back.
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
info() { printf '      %s\n' "$*"; }
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}
check() { # DESCRIPTION COMMAND...: pass if COMMAND succeeds
	local what=$1
	shift
	if "$@" >"$work/check.out" 2>&1; then pass "$what"; else
		fail "$what"
		sed 's/^/      /' "$work/check.out" | tail -n 20
	fi
}
size_mb() { # IMAGE
	docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1000000 }'
}

# context NAME [SOLUTION_DIR]: a copy of the starter with the solution's Dockerfile
# and .dockerignore on top.
context() {
	local dir="$work/$1" f
	mkdir -p "$dir"
	cp -R "$task_api/starter/." "$dir/"
	if [[ -n ${2:-} ]]; then
		for f in Dockerfile .dockerignore; do
			if [[ -e $2/$f ]]; then cp "$2/$f" "$dir/$f"; fi
		done
	fi
	printf '%s\n' "$dir"
}

build() { # TAG DIR
	local t0
	t0=$(now_ms)
	if docker build -q --force-rm --label "$label" --build-arg "PYTHON_IMAGE=$base" -t "$1" "$2" >"$work/build.log" 2>&1; then
		pass "build $1 in $(($(now_ms) - t0)) ms ($(size_mb "$1"))"
	else
		fail "build $1"
		sed 's/^/      /' "$work/build.log" | tail -n 30
		return 1
	fi
}

# /health through the published port from the host (curl), or from inside the
# container with its own Python if there is no curl. Prints the HTTP status.
health_status() { # CONTAINER
	local hostport
	if command -v curl >/dev/null 2>&1 && hostport=$(docker port "$1" 8000/tcp 2>/dev/null | grep -m1 '^127\.0\.0\.1:'); then
		curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$hostport/health" || true
	else
		docker exec "$1" python -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:8000/health", timeout=2).status, end="")' 2>/dev/null || true
	fi
}

wait_health_endpoint() { # CONTAINER: up to 30 s; prints the last status
	local i s=000
	for ((i = 0; i < 150; i++)); do
		s=$(health_status "$1")
		[[ $s == 200 ]] && break
		[[ $(docker inspect --format '{{.State.Running}}' "$1") == true ]] || break
		sleep 0.2
	done
	printf '%s' "$s"
}

wait_healthy() { # CONTAINER: Docker's health status, up to 60 s
	local i status
	for ((i = 0; i < 300; i++)); do
		status=$(docker inspect --format '{{.State.Health.Status}}' "$1")
		case $status in
		healthy) return 0 ;;
		unhealthy) return 1 ;;
		esac
		sleep 0.2
	done
	return 1
}

stop_ms() { # CONTAINER: docker stop it; prints "MS EXITCODE"
	local t0 t1
	t0=$(now_ms)
	docker stop -t "$stop_timeout" "$1" >/dev/null
	t1=$(now_ms)
	printf '%s %s\n' "$((t1 - t0))" "$(docker inspect --format '{{.State.ExitCode}}' "$1")"
}

dump_logs() { # CONTAINER
	docker logs "$1" 2>&1 | tail -n 15 | sed 's/^/      | /'
}

# ---- 1. the twin ----
t0=$(now_ms)
if ! TWIN_LABEL="$label" bash "$here/python-base.sh" "$base" >/dev/null 2>"$work/base.log"; then
	fail "python-base.sh $base"
	sed 's/^/      /' "$work/base.log"
	exit 1
fi
pass "python-base.sh imported $base in $(($(now_ms) - t0)) ms ($(size_mb "$base"), $(grep -m1 -o 'rootfs [^ ]*\.tar\.[a-z]*' "$work/base.log" || true))"
v=$(docker image inspect --format '{{index .Config.Labels "dev.shipshape.managed"}} {{index .Config.Labels "dev.shipshape.twin"}}' "$base")
if [[ $v == "true python" ]]; then pass "twin labeled dev.shipshape.managed=true, dev.shipshape.twin=python"; else fail "twin labels: $v"; fi
tw() { docker run --rm --label "$label" "$base" "$@"; }
v=$(tw python -c 'import sys; print(sys.version)' 2>&1 || true)
if [[ $v == 3.13.* ]]; then pass "python -c 'import sys; print(sys.version)': $v"; else fail "python version: $v"; fi
v=$(tw pip --version 2>&1 || true)
if [[ $v == pip\ * ]]; then pass "pip --version: $v"; else fail "pip --version: $v"; fi
v=$(tw pip list --format=freeze 2>&1 || true)
if [[ $v == pip==* && $v != *$'\n'* ]]; then pass "only pip installed in the twin: $v"; else fail "pip list in the twin: $v"; fi
check "no app package importable in the twin (import fastapi fails)" tw sh -c '! python -c "import fastapi" 2>/dev/null'
check "no EXTERNALLY-MANAGED marker" tw sh -c '! ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null'
check "/etc/pip.conf: no-index and find-links" tw grep -q '^no-index = true' /etc/pip.conf
# shellcheck disable=SC2016 # expanded by the container's shell
check "python, python3, python3.13, pip in /usr/local/bin" tw sh -c 'for c in python python3 python3.13 pip; do [ "$(command -v $c)" = /usr/local/bin/$c ] || exit 1; done'
check "groupadd, useradd, /usr/sbin/nologin present" tw sh -c 'command -v groupadd && command -v useradd && test -x /usr/sbin/nologin'
info "wheelhouse: $(tw sh -c 'grep -c "<-" /usr/local/share/shipshape-twin/VERSIONS') wheels; aliases:"
tw grep ALIAS /usr/local/share/shipshape-twin/VERSIONS | sed 's/^/        /'

# ---- 2. the starter, unmodified ----
tag="$repo:dev-$run_id"
if build "$tag" "$(context starter)"; then
	if v=$(docker run --rm --label "$label" "$tag" python -c 'import fastapi, uvicorn, pydantic_settings, pydantic; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__, "pydantic", pydantic.VERSION, "pydantic-settings", pydantic_settings.__version__)' 2>&1); then
		pass "starter: import fastapi, uvicorn, pydantic_settings ($v)"
	else fail "starter: imports: $v"; fi
	check "starter: pip check" docker run --rm --label "$label" "$tag" pip check
	if docker run --rm --label "$label" "$tag" python -m pytest -q -p no:cacheprovider >"$work/pytest.out" 2>&1; then
		pass "starter: python -m pytest -q: $(tail -n 1 "$work/pytest.out")"
	else
		fail "starter: python -m pytest -q"
		tail -n 30 "$work/pytest.out" | sed 's/^/      /'
	fi
	c=$(docker run -d --label "$label" -p 127.0.0.1::8000 "$tag")
	s=$(wait_health_endpoint "$c")
	if [[ $s == 200 ]]; then pass "starter: /health answers 200"; else
		fail "starter: /health: $s"
		dump_logs "$c"
	fi
	read -r ms code < <(stop_ms "$c")
	if [[ $code == 0 ]] && ((ms < 3000)); then pass "starter: docker stop in $ms ms, exit $code"; else fail "starter: docker stop in $ms ms, exit $code"; fi
fi

# ---- 3. the reference solutions ----
for ex in 3.1 3.2 3.3 3.4; do
	tag="$repo:prod-${ex/./}-$run_id"
	build "$tag" "$(context "$ex" "$task_api/solutions/$ex")" || continue
	t0=$(now_ms)
	c=$(docker run -d --label "$label" -p 127.0.0.1::8000 "$tag")
	s=$(wait_health_endpoint "$c")
	if [[ $s == 200 ]]; then pass "$ex: /health answers 200 after $(($(now_ms) - t0)) ms"; else
		fail "$ex: /health: $s"
		dump_logs "$c"
	fi
	if wait_healthy "$c"; then pass "$ex: healthy after $(($(now_ms) - t0)) ms"; else
		fail "$ex: not healthy: $(docker inspect --format '{{json .State.Health}}' "$c" | cut -c1-300)"
	fi
	puid=$(docker exec "$c" awk '/^Uid:/ { print $2 }' /proc/1/status || true)
	tuid=$(docker top "$c" -o pid,uid,args 2>/dev/null | awk 'NR == 2 { print $2 }' || true)
	cmd1=$(docker exec "$c" cat /proc/1/cmdline | tr '\0' ' ' || true)
	if [[ $puid == 10001 && $tuid == 10001 ]]; then pass "$ex: PID 1 ($cmd1) runs as UID $puid (docker top: $tuid)"; else fail "$ex: PID 1 UID $puid, docker top $tuid"; fi
	if [[ $ex != 3.1 ]]; then
		check "$ex: pip check in /opt/venv" docker exec "$c" /opt/venv/bin/pip check
	fi
	read -r ms code < <(stop_ms "$c")
	if [[ $code == 0 ]] && ((ms < 2000)); then pass "$ex: docker stop in $ms ms, exit $code"; else
		fail "$ex: docker stop in $ms ms, exit $code (want 0, well under a second)"
	fi
	info "last log line: $(docker logs "$c" 2>&1 | tail -n 1)"
done

# ---- 4. a shell-form CMD: /bin/sh stays PID 1 and never forwards SIGTERM ----
dir=$(context shellform "$task_api/solutions/3.1")
sed -i 's|^CMD \[.*|CMD uvicorn main:app --host 0.0.0.0 --port 8000|' "$dir/Dockerfile"
tag="$repo:shellform-$run_id"
if grep -q '^CMD uvicorn' "$dir/Dockerfile" && build "$tag" "$dir"; then
	c=$(docker run -d --label "$label" -p 127.0.0.1::8000 "$tag")
	s=$(wait_health_endpoint "$c")
	if [[ $s == 200 ]]; then pass "shell form: /health answers 200"; else fail "shell form: /health: $s"; fi
	cmd1=$(docker exec "$c" cat /proc/1/cmdline | tr '\0' ' ' || true)
	exe1=$(docker exec "$c" readlink /proc/1/exe || true)
	if [[ $cmd1 == "/bin/sh -c "* && $exe1 == */dash ]]; then pass "shell form: PID 1 is $exe1 ($cmd1)"; else fail "shell form: PID 1 is $exe1 ($cmd1)"; fi
	read -r ms code < <(stop_ms "$c")
	if [[ $code == 137 ]] && ((ms >= (stop_timeout - 1) * 1000)); then
		pass "shell form: docker stop took $ms ms (timeout ${stop_timeout} s), exit $code"
	else
		fail "shell form: docker stop took $ms ms, exit $code (want about ${stop_timeout} s and 137)"
	fi
fi

if ((failures > 0)); then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
