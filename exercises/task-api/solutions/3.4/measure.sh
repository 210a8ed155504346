#!/usr/bin/env bash
# measure.sh [DEV_IMAGE [PROD_IMAGE]]: measure the Task API's development and
# production images the same way, with nothing but the docker CLI, and print a
# Markdown table for MEASUREMENTS.md:
#   size                      the sum of the layer sizes in docker history: the
#                             unpacked size, the same on the classic and the
#                             containerd image store (docker image ls and inspect
#                             count more on the containerd store)
#   layer count               docker image inspect
#   start until /health       docker run, then probe /health from inside the
#                             container with the image's own Python (no curl needed)
#   start until healthy       Docker's health status (images with a HEALTHCHECK)
#   idle CPU and memory       docker stats --no-stream after IDLE_SECONDS
#   stop time and exit code   docker stop, .State.ExitCode (137 = killed)
# Defaults: task-api:dev and task-api:prod, IDLE_SECONDS=15, STARTUP_TIMEOUT=60.
# The images run one after the other, without published ports, so nothing else on
# the machine has to make way; the containers are removed at the end.
set -euo pipefail

dev=${1:-task-api:dev}
prod=${2:-task-api:prod}
idle_seconds=${IDLE_SECONDS:-15}
startup_timeout=${STARTUP_TIMEOUT:-60}
label="dev.shipshape.measure=$$"
probe='import sys, urllib.request; r = urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=2); sys.exit(0 if r.status == 200 else 1)'

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$label")
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086 # one container id per word
		docker rm -f -v $ids >/dev/null
	fi
}
trap cleanup EXIT

# Milliseconds since some fixed point; EPOCHREALTIME needs bash 5, older bash
# (macOS ships 3.2) falls back to whole seconds.
now_ms() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo $((10#$t / 1000))
	else
		echo $((SECONDS * 1000))
	fi
}
# unpacked IMAGE: the unpacked size in bytes, the figure shipshape's size checks use.
unpacked() { docker history --human=false --format '{{.Size}}' "$1" | awk '{ s += $1 } END { printf "%d\n", s }'; }
seconds() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }
megabytes() { printf '%d.%d' $(($1 / 1000000)) $((($1 % 1000000) / 100000)); }

# measure IMAGE: prints "size|layers|answers|healthy|cpu|memory|stop|exit".
measure() {
	local image=$1 size layers hc cid t0 t answers=n/a healthy=n/a status stats stop code
	size=$(unpacked "$image")
	layers=$(docker image inspect --format '{{len .RootFS.Layers}}' "$image")
	hc=$(docker image inspect --format '{{if .Config.Healthcheck}}{{index .Config.Healthcheck.Test 0}}{{end}}' "$image")

	t0=$(now_ms)
	cid=$(docker run -d --label "$label" "$image")
	while :; do
		t=$(now_ms)
		if [[ $answers == n/a ]] && docker exec "$cid" python -c "$probe" >/dev/null 2>&1; then
			answers=$(seconds $((t - t0)))
		fi
		if [[ -n $hc && $hc != NONE && $healthy == n/a ]]; then
			status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$cid")
			[[ $status == healthy ]] && healthy=$(seconds $((t - t0)))
		fi
		if [[ $answers != n/a && ($healthy != n/a || -z $hc || $hc == NONE) ]]; then
			break
		fi
		if [[ $(docker inspect --format '{{.State.Running}}' "$cid") != true ]]; then
			echo "measure.sh: $image exited with code $(docker inspect --format '{{.State.ExitCode}}' "$cid"); read its logs with: docker logs $cid" >&2
			return 1
		fi
		if ((t - t0 > startup_timeout * 1000)); then
			echo "measure.sh: $image did not answer /health (or become healthy) within ${startup_timeout}s; see docker logs $cid" >&2
			return 1
		fi
		sleep 0.2
	done

	sleep "$idle_seconds"
	stats=$(docker stats --no-stream --format '{{.CPUPerc}}|{{.MemUsage}}' "$cid")

	t=$(now_ms)
	docker stop "$cid" >/dev/null
	stop=$(seconds $(($(now_ms) - t)))
	code=$(docker inspect --format '{{.State.ExitCode}}' "$cid")
	docker rm -v "$cid" >/dev/null

	local cpu=${stats%%|*} mem=${stats#*|}
	printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$(megabytes "$size")" "$layers" "$answers" "$healthy" "$cpu" "${mem%% /*}" "$stop" "$code"
}

for image in "$dev" "$prod"; do
	if ! docker image inspect "$image" >/dev/null 2>&1; then
		echo "measure.sh: no image $image on this daemon; build it first (docker build -t $image .)" >&2
		exit 1
	fi
done

echo "Measuring $dev, then $prod (about $((idle_seconds * 2 + 10)) seconds)..." >&2
# Plain assignments, so that a failed measurement stops the script (set -e).
dev_result=$(measure "$dev")
prod_result=$(measure "$prod")
IFS='|' read -r d_size d_layers d_answers d_healthy d_cpu d_mem d_stop d_code <<<"$dev_result"
IFS='|' read -r p_size p_layers p_answers p_healthy p_cpu p_mem p_stop p_code <<<"$prod_result"

cat <<TABLE
Docker Engine $(docker version --format '{{.Server.Version}}'), idle for ${idle_seconds}s before the stats sample.

| Metric                    | $dev | $prod |
|---------------------------|------|-------|
| Image size (MB)           | $d_size | $p_size |
| Filesystem layers         | $d_layers | $p_layers |
| /health answers after (s) | $d_answers | $p_answers |
| Healthy after (s)         | $d_healthy | $p_healthy |
| Idle CPU                  | $d_cpu | $p_cpu |
| Idle memory               | $d_mem | $p_mem |
| docker stop (s), exit     | $d_stop, $d_code | $p_stop, $p_code |
TABLE

# Compare in bytes: the MB strings are for people.
dev_bytes=$(unpacked "$dev")
prod_bytes=$(unpacked "$prod")
echo
if ((prod_bytes < dev_bytes)); then
	echo "$prod is $(megabytes $((dev_bytes - prod_bytes))) MB smaller than $dev."
else
	echo "$prod is not smaller than $dev: look at docker history --no-trunc $prod for the largest layers."
fi
if [[ $p_code == 137 || $d_code == 137 ]]; then
	echo "Exit code 137 means a container was killed after the stop timeout: SIGTERM did not reach the server (shell-form CMD?)."
fi
