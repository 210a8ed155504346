#!/usr/bin/env bash
# engine.sh: a newer Docker Engine (Debian trixie's docker.io, Engine 26.1)
# running inside a container on the host's Docker daemon, with its own
# network namespace, reachable from the host through a unix socket in a
# bind-mounted host directory.
#
#   engine.sh start VARIANT   start it; prints the DOCKER_HOST on stdout
#   engine.sh stop VARIANT    remove its container, volume and socket dir
#   engine.sh status [VARIANT]
#   engine.sh env VARIANT     shell exports: DOCKER_HOST and DOCKER_CONFIG
#   engine.sh build           build (or reuse) the cached rootfs and import it
#   engine.sh clean [--cache] stop every variant, remove the engine image
#                             (and with --cache the cached tarballs too)
#
# VARIANT: 26            classic image store (overlay2 graph driver)
#          26-containerd containerd image store (containerd-snapshotter)
#          26-nobridge   classic store, docker0 deleted inside the engine's netns
#
# Environment:
#   SHIPSHAPE_TESTBED_CACHE   cache dir (default /var/cache/shipshape-testbed)
#   SHIPSHAPE_TESTBED_RUN     socket dirs live under it (default /run/shipshape-testbed)
#   SHIPSHAPE_TESTBED_INSTANCE a suffix for the container, volume and socket
#                             dir, so that several people (or helpers) on one
#                             host each run their own engine of a variant
#   SHIPSHAPE_TESTBED_TIMEOUT seconds to wait for the inner engine (default 60)
#   SHIPSHAPE_TESTBED_MIRROR  Debian mirror for debootstrap (default: the
#                             first one in the host's apt sources)
#
# Everything it creates on the host daemon is labelled
# dev.shipshape.managed=true and dev.shipshape.testbed=engine; it never
# removes anything that lacks those labels.
set -euo pipefail

readonly SUITE=trixie
readonly PACKAGES=docker.io,docker-buildx,iptables,procps
readonly IMAGE=shipshape-test/engine:26
readonly LABEL_MANAGED=dev.shipshape.managed=true
readonly LABEL_TESTBED=dev.shipshape.testbed=engine
readonly INIT=/usr/local/sbin/shipshape-engine-init

CACHE=${SHIPSHAPE_TESTBED_CACHE:-/var/cache/shipshape-testbed}
RUN_ROOT=${SHIPSHAPE_TESTBED_RUN:-/run/shipshape-testbed}
TIMEOUT=${SHIPSHAPE_TESTBED_TIMEOUT:-60}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
KEY=$(sha256sum "$SELF" | cut -c1-16)
TARBALL=$CACHE/engine-$SUITE-$KEY.tar
DOCKER_CONFIG_DIR=$CACHE/docker-config

log() { printf 'engine.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$SELF" >&2
	exit 2
}

check_variant() {
	case ${1:-} in
	26 | 26-containerd | 26-nobridge) ;;
	*) die "unknown VARIANT '${1:-}' (want 26, 26-containerd or 26-nobridge)" ;;
	esac
}

INSTANCE=${SHIPSHAPE_TESTBED_INSTANCE:+-$SHIPSHAPE_TESTBED_INSTANCE}
container_name() { echo "shipshape-testbed-engine-$1$INSTANCE"; }
volume_name() { echo "shipshape-testbed-engine-$1$INSTANCE"; }
sock_dir() { echo "$RUN_ROOT/$1$INSTANCE"; }
docker_host() { echo "unix://$(sock_dir "$1")/docker.sock"; }

# ours KIND NAME: true when the host object exists and carries our labels.
ours() {
	local fmt='{{index .Config.Labels "dev.shipshape.testbed"}}'
	[ "$1" = volume ] && fmt='{{index .Labels "dev.shipshape.testbed"}}'
	[ "$(docker "$1" inspect -f "$fmt" "$2" 2>/dev/null)" = engine ]
}

# ---------------------------------------------------------------------------
# The init script that runs inside the engine container (written into the
# rootfs at build time, so it is part of the cache key through this file).
write_init() {
	cat >"$1" <<'INIT'
#!/bin/bash
# Runs as the engine container's entrypoint (under the host's docker-init).
set -eu
variant=${SHIPSHAPE_ENGINE_VARIANT:?}
sock_dir=${SHIPSHAPE_ENGINE_SOCKDIR:?}

# An unprivileged container gets /sys and the cgroup mounts read-only;
# the nested engine has to create cgroups and write sysctls. A bind
# remount changes only this mount's flags: a plain remount of a cgroup v1
# hierarchy would touch the host's superblock and fails with EBUSY.
rw() { mount -o remount,bind,rw "$1" 2>/dev/null || mount -o remount,rw "$1"; }
rw /sys
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	rw /sys/fs/cgroup
	# cgroup v2: a cgroup with processes cannot hand controllers to its
	# children ("no internal processes"), so move everything that runs
	# here into a leaf first, then enable all controllers for children.
	mkdir -p /sys/fs/cgroup/engine-init
	while read -r pid; do
		echo "$pid" >/sys/fs/cgroup/engine-init/cgroup.procs 2>/dev/null || :
	done </sys/fs/cgroup/cgroup.procs
	for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
		echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || echo "init: cannot enable cgroup controller $c" >&2
	done
else
	# cgroup v1: a tmpfs with one mount per hierarchy.
	rw /sys/fs/cgroup
	awk '$2 ~ "^/sys/fs/cgroup/" { print $2 }' /proc/self/mounts | while read -r m; do
		rw "$m" || echo "init: cannot remount $m read-write" >&2
	done
fi
# Mount propagation for volumes of nested containers.
mount --make-rshared /

mkdir -p /etc/docker "$sock_dir"
case $variant in
26-containerd) echo '{"features":{"containerd-snapshotter":true}}' >/etc/docker/daemon.json ;;
*) echo '{"storage-driver":"overlay2"}' >/etc/docker/daemon.json ;;
esac
rm -f "$sock_dir/docker.sock" /var/run/docker.sock /var/run/docker.pid

# The inner bridge lives in this container's network namespace; a fixed
# subnet keeps it apart from the outer container's own address.
exec dockerd \
	-H "unix://$sock_dir/docker.sock" -H unix:///var/run/docker.sock \
	--bip 10.213.0.1/24 --default-address-pool base=10.214.0.0/16,size=24
INIT
	chmod 0755 "$1"
}

# ---------------------------------------------------------------------------
# Build the rootfs tarball (debootstrap) unless the cache already has it.

BUILD_DIR=

cleanup_build() {
	[ -n "$BUILD_DIR" ] || return 0
	# debootstrap mounts proc, sys and maybe bind-mounts /dev devices in
	# the target: unmount all of them before removing anything.
	local m
	awk -v d="$BUILD_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || :; done
	rm -rf --one-file-system "$BUILD_DIR"
	BUILD_DIR=
}

apt_mirror() {
	[ -n "${SHIPSHAPE_TESTBED_MIRROR:-}" ] && { echo "$SHIPSHAPE_TESTBED_MIRROR"; return; }
	# First Debian archive URI in the host's apt sources (deb822 or one-line).
	{
		awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources 2>/dev/null
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break } }' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | grep -v -- '-security' | head -n1 || :
}

build_tarball() {
	[ -s "$TARBALL" ] && return 0
	command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
	local mirror start
	start=$(date +%s)
	mirror=$(apt_mirror)
	BUILD_DIR=$(mktemp -d "$CACHE/build.XXXXXX")
	trap cleanup_build EXIT
	log "building the $SUITE engine rootfs with debootstrap (from ${mirror:-the default mirror}); this takes a few minutes"
	local -a args=(--variant=minbase --include="$PACKAGES")
	[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] && args+=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
	if ! debootstrap "${args[@]}" "$SUITE" "$BUILD_DIR/rootfs" ${mirror:+"$mirror"} >"$BUILD_DIR/debootstrap.log" 2>&1; then
		tail -n 30 "$BUILD_DIR/debootstrap.log" >&2
		[ -f "$BUILD_DIR/rootfs/debootstrap/debootstrap.log" ] && tail -n 30 "$BUILD_DIR/rootfs/debootstrap/debootstrap.log" >&2
		die "debootstrap failed"
	fi
	local r=${BUILD_DIR:?}/rootfs
	# Anything debootstrap left mounted goes before the tarball is made.
	awk -v d="$r/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || :; done
	log "slimming the rootfs ($(du -sm "$r" | cut -f1) MB)"
	rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* \
		"$r"/usr/share/locale/* "$r"/usr/share/lintian "$r"/usr/share/bash-completion \
		"$r"/usr/share/zsh "$r"/usr/share/fish "$r"/var/cache/apt/* "$r"/var/lib/apt/lists/* \
		"$r"/var/cache/debconf/*-old "$r"/var/log/* "$r"/debootstrap "${r:?}"/dev/* "$r"/run/* "$r"/tmp/*
	# The host CLI has no buildx: keep the rootfs's plugin for a private
	# DOCKER_CONFIG; the engine itself does not need it, nor containerd's
	# v1 shims and ctr.
	if [ -x "$r/usr/libexec/docker/cli-plugins/docker-buildx" ]; then
		mkdir -p "$DOCKER_CONFIG_DIR/cli-plugins"
		install -m 0755 "$r/usr/libexec/docker/cli-plugins/docker-buildx" "$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx"
	fi
	rm -f "$r"/usr/libexec/docker/cli-plugins/docker-buildx "$r"/usr/bin/ctr \
		"$r"/usr/bin/containerd-shim "$r"/usr/bin/containerd-shim-runc-v1
	write_init "$r$INIT"
	printf 'shipshape-engine\n' >"$r/etc/hostname"
	log "rootfs is $(du -sm "$r" | cut -f1) MB; writing $TARBALL"
	tar -C "$r" --numeric-owner -cf "$BUILD_DIR/rootfs.tar" .
	mv "$BUILD_DIR/rootfs.tar" "$TARBALL"
	# Tarballs of older versions of this script are ours and stale.
	find "$CACHE" -maxdepth 1 -name "engine-$SUITE-*.tar" ! -path "$TARBALL" -delete
	cleanup_build
	trap - EXIT
	log "rootfs built in $(($(date +%s) - start)) s"
}

# Import the cached tarball unless the tagged image already is this version.
ensure_image() {
	local have old
	have=$(docker image inspect -f '{{index .Config.Labels "dev.shipshape.testbed.key"}}' "$IMAGE" 2>/dev/null || :)
	[ "$have" = "$KEY" ] && return 0
	old=
	ours image "$IMAGE" && old=$(docker image inspect -f '{{.Id}}' "$IMAGE")
	log "importing $TARBALL as $IMAGE"
	docker import \
		--change "LABEL $LABEL_MANAGED" --change "LABEL $LABEL_TESTBED" \
		--change "LABEL dev.shipshape.testbed.key=$KEY" \
		--change "ENTRYPOINT [\"$INIT\"]" \
		"$TARBALL" "$IMAGE" >/dev/null
	# The previous version of our image, now untagged; it may still be in use.
	if [ -n "$old" ]; then docker image rm "$old" >/dev/null 2>&1 || :; fi
}

prepare() {
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	build_tarball
	ensure_image
	flock -u 9
	exec 9>&-
}

# ---------------------------------------------------------------------------

cmd_build() { prepare; }

STARTED=
cmd_stop() {
	local v=$1 name vol dir
	name=$(container_name "$v")
	vol=$(volume_name "$v")
	dir=$(sock_dir "$v")
	if ours container "$name"; then
		log "removing container $name"
		docker rm -f -v "$name" >/dev/null
	elif docker container inspect "$name" >/dev/null 2>&1; then
		log "container $name is not labelled $LABEL_TESTBED: left alone"
	fi
	if ours volume "$vol"; then
		log "removing volume $vol"
		docker volume rm "$vol" >/dev/null
	elif docker volume inspect "$vol" >/dev/null 2>&1; then
		log "volume $vol is not labelled $LABEL_TESTBED: left alone"
	fi
	if [ -d "$dir" ]; then
		rm -f "$dir/docker.sock"
		rmdir "$dir" 2>/dev/null || log "$dir is not empty: left alone"
	fi
	rmdir "$RUN_ROOT" 2>/dev/null || :
}

on_start_exit() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ -n "$STARTED" ]; then
		log "start failed: cleaning up"
		cmd_stop "$STARTED" || :
	fi
	cleanup_build
}

cmd_start() {
	local v=$1 name vol dir host t0 deadline state
	t0=$(date +%s)
	name=$(container_name "$v")
	vol=$(volume_name "$v")
	dir=$(sock_dir "$v")
	host=$(docker_host "$v")
	docker version -f '{{.Server.Version}}' >/dev/null 2>&1 || die "the host Docker daemon does not answer"
	if docker container inspect "$name" >/dev/null 2>&1; then
		if ours container "$name" && [ "$(docker container inspect -f '{{.State.Running}}' "$name")" = true ] &&
			DOCKER_HOST=$host docker version >/dev/null 2>&1; then
			log "engine $v is already running"
			echo "$host"
			return 0
		fi
		ours container "$name" || die "container $name exists and is not labelled $LABEL_TESTBED: remove or rename it, then start again"
		# Left by a run that was killed before its cleanup (matrix.sh
		# holds a lock per instance, so no live run owns it).
		log "container $name is left from an earlier run and its engine does not answer: removing it"
		cmd_stop "$v"
	fi
	prepare
	STARTED=$v
	trap on_start_exit EXIT
	mkdir -p "$dir"
	docker volume create --label "$LABEL_MANAGED" --label "$LABEL_TESTBED" \
		--label "dev.shipshape.testbed.variant=$v" "$vol" >/dev/null
	log "starting container $name"
	# --privileged fails on hosts whose bounding set lacks CAP_SYS_RESOURCE
	# ("unable to apply caps"), hence the explicit capability set.
	docker run -d --name "$name" --hostname "engine-$v" \
		--label "$LABEL_MANAGED" --label "$LABEL_TESTBED" --label "dev.shipshape.testbed.variant=$v" \
		--cap-add ALL --cap-drop SYS_RESOURCE \
		--security-opt seccomp=unconfined --security-opt apparmor=unconfined \
		--security-opt systempaths=unconfined \
		--device-cgroup-rule 'a *:* rwm' --cgroupns private \
		--init \
		-e "SHIPSHAPE_ENGINE_VARIANT=$v" -e "SHIPSHAPE_ENGINE_SOCKDIR=$dir" \
		-v "$vol:/var/lib/docker" -v "$dir:$dir" \
		"$IMAGE" >/dev/null
	deadline=$(($(date +%s) + TIMEOUT))
	until DOCKER_HOST=$host docker version >/dev/null 2>&1; do
		state=$(docker container inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo gone)
		if [ "$state" != running ] || [ "$(date +%s)" -ge "$deadline" ]; then
			log "the engine did not come up (container $state); its log:"
			docker logs --tail 40 "$name" >&2 2>&1 || :
			exit 1
		fi
		sleep 0.5
	done
	if [ "$v" = 26-nobridge ]; then
		# What a second dockerd started with --bridge=none does to the
		# host: docker0 disappears while the engine still has its bridge
		# network. Done here in the engine container's own network
		# namespace, never on the host.
		local pid
		pid=$(docker inspect -f '{{.State.Pid}}' "$name")
		command -v nsenter >/dev/null && command -v ip >/dev/null ||
			die "26-nobridge needs nsenter (util-linux) and ip (iproute2) on the host"
		nsenter --target "$pid" --net ip link delete docker0 ||
			die "cannot delete docker0 in the engine's network namespace"
		log "deleted docker0 inside the engine container: containers on the default network cannot start"
	fi
	STARTED=
	log "engine $v ($(DOCKER_HOST=$host docker version -f '{{.Server.Version}}, API {{.Server.APIVersion}}')) is up after $(($(date +%s) - t0)) s"
	[ -x "$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx" ] &&
		log "for 'docker build' with BuildKit: export DOCKER_CONFIG=$DOCKER_CONFIG_DIR"
	echo "$host"
}

cmd_status() {
	local v name host state
	local -a vs=("$@")
	[ ${#vs[@]} -gt 0 ] || vs=(26 26-containerd 26-nobridge)
	for v in "${vs[@]}"; do
		check_variant "$v"
		name=$(container_name "$v")
		host=$(docker_host "$v")
		state=$(docker container inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo absent)
		if [ "$state" = running ] && DOCKER_HOST=$host docker version >/dev/null 2>&1; then
			printf '%s\t%s\t%s\n' "$v" "up" "$host"
		else
			printf '%s\t%s\n' "$v" "$state"
		fi
	done
}

cmd_env() {
	local v=$1
	printf 'export DOCKER_HOST=%s\n' "$(docker_host "$v")"
	[ -x "$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx" ] &&
		printf 'export DOCKER_CONFIG=%s\n' "$DOCKER_CONFIG_DIR"
	return 0
}

cmd_clean() {
	local v id
	for v in 26 26-containerd 26-nobridge; do cmd_stop "$v"; done
	# Every image of ours: the tagged one and older untagged versions.
	for id in $(docker image ls -q --filter "label=$LABEL_TESTBED" --filter "label=$LABEL_MANAGED" | sort -u); do
		log "removing image $id"
		docker image rm -f "$id" >/dev/null || :
	done
	if [ "${1:-}" = --cache ]; then
		log "removing cached tarballs and cli-plugins under $CACHE"
		find "$CACHE" -maxdepth 1 -name "engine-$SUITE-*.tar" -delete 2>/dev/null || :
		rm -rf "$DOCKER_CONFIG_DIR"
	fi
}

main() {
	# Make an interrupted start or build run its EXIT cleanup too.
	trap 'exit 130' INT
	trap 'exit 143' TERM
	local cmd=${1:-}
	shift || :
	case $cmd in
	start | stop | env)
		[ $# -eq 1 ] || usage
		check_variant "$1"
		"cmd_$cmd" "$1"
		;;
	status) cmd_status "$@" ;;
	build) cmd_build ;;
	clean) cmd_clean "$@" ;;
	*) usage ;;
	esac
}

main "$@"
