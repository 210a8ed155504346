#!/bin/sh
# build.sh TAG: make a tiny stand-in for python:3.13-slim from the host's static
# busybox and the shims next to this script, and import it into the local Docker
# daemon as TAG, labeled dev.shipshape.managed=true. No registry, no network.
#
#   sh testbase/build.sh shipshape-test/python-standin
#   docker build --build-arg PYTHON_IMAGE=shipshape-test/python-standin -t task-api:dev .
#
# BUSYBOX (default /usr/bin/busybox) must be a statically linked busybox, such as
# Debian's busybox-static package installs: the image has no libc.
# STANDIN_LABEL=key=value adds one more label. Every image built FROM the stand-in,
# the classic builder's intermediate images included, inherits it, so a test can
# find and remove all of them by that label.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 IMAGE-TAG" >&2
	exit 2
fi
tag=$1
busybox=${BUSYBOX:-/usr/bin/busybox}
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$busybox" ]; then
	echo "build.sh: no busybox at $busybox; install busybox-static or set BUSYBOX" >&2
	exit 1
fi
if ! "$busybox" --list-full >/dev/null 2>&1; then
	echo "build.sh: $busybox does not support --list-full; use a full busybox build" >&2
	exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/python-standin.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
	"$root/usr/local/bin" "$root/usr/local/lib/python3.13/site-packages" \
	"$root/usr/local/lib/python-standin/www" \
	"$root/etc" "$root/root" "$root/tmp" "$root/opt" "$root/var/tmp" "$root/home"
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"

cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
# One symlink per applet, at the path busybox itself names (bin/sh, usr/bin/wget, ...).
"$busybox" --list-full | while read -r applet; do
	case $applet in
	"" | bin/busybox) continue ;;
	esac
	mkdir -p "$root/$(dirname "$applet")"
	ln -sf /bin/busybox "$root/$applet"
done

# The shims; they win over any applet of the same name.
install -m 755 "$here/shims/python" "$root/usr/local/bin/python"
for name in python3 python3.13; do ln -sf python "$root/usr/local/bin/$name"; done
install -m 755 "$here/shims/pip" "$root/usr/local/bin/pip"
for name in pip3 pip3.13; do ln -sf pip "$root/usr/local/bin/$name"; done
install -m 755 "$here/shims/useradd" "$root/usr/sbin/useradd"
install -m 755 "$here/shims/groupadd" "$root/usr/sbin/groupadd"
rm -f "$root/usr/sbin/nologin" "$root/sbin/nologin"
install -m 755 "$here/shims/nologin" "$root/usr/sbin/nologin"

# What the uvicorn stand-in serves: busybox httpd answers 200 for existing files.
printf '{"status":"ok"}\n' >"$root/usr/local/lib/python-standin/www/health"
printf '{"ready":true}\n' >"$root/usr/local/lib/python-standin/www/readiness"
printf '[]\n' >"$root/usr/local/lib/python-standin/www/tasks"
chmod 644 "$root/usr/local/lib/python-standin/www/"*

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
chmod 644 "$root/etc/passwd" "$root/etc/group"

extra_label=${STANDIN_LABEL:-dev.shipshape.standin=python}

# The same image configuration the real python image has where it matters.
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf - . |
	docker import \
		--change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV LANG=C.UTF-8' \
		--change 'ENV PYTHON_VERSION=3.13.0-standin' \
		--change 'LABEL dev.shipshape.managed=true' \
		--change 'LABEL dev.shipshape.standin=python' \
		--change "LABEL $extra_label" \
		--change 'CMD ["python3"]' \
		- "$tag" >/dev/null
echo "$tag"
