#!/usr/bin/env bash
# python-base.sh [--print-tarball] [TAG]: a twin of python:3.13-slim, built offline
# from Debian trixie, for the end-to-end tests of the Task API exercises.
#
#   bash exercises/testbed/python-base.sh                  # imports shipshape-test/python:3.13-slim
#   bash exercises/testbed/python-base.sh my/python:twin   # imports my/python:twin
#   bash exercises/testbed/python-base.sh --print-tarball  # only makes sure the cached
#                                                          # rootfs exists; prints its path
#   bash exercises/testbed/python-base.sh --cached-only TAG # imports only from the cache;
#                                                          # exit 3 when nothing is cached
#
# No container registry and no PyPI: the rootfs comes from `debootstrap --variant=minbase
# trixie` against the Debian mirror of this machine's apt sources (DEBIAN_MIRROR
# overrides it), with python3 (3.13), python3-venv, ca-certificates, netbase, tzdata
# (what python:3.13-slim has) and, for a moment, the Debian packages of the Task API's
# dependencies (python3-fastapi, python3-uvicorn, ...). Those are repackaged as wheels
# into a wheelhouse (/usr/local/share/shipshape-twin/wheels), with version aliases where
# Debian's version differs from a pin in requirements*.txt, and then purged, so that the
# image has only the interpreter, venv, pip and the wheelhouse, and `pip install -r
# requirements.txt` really installs the packages (from the wheelhouse: /etc/pip.conf
# sets no-index and find-links). What each wheel really contains is written to
# /usr/local/share/shipshape-twin/VERSIONS.
#
# The rootfs tarball is cached in SHIPSHAPE_TESTBED_CACHE (default
# /var/cache/shipshape-testbed), keyed on a sha256 of this script and of the
# requirements files; with a cached tarball a run only imports it (about 2 s).
# Building it needs root (debootstrap, chroot) and takes about two minutes.
#
# The image is labeled dev.shipshape.managed=true and dev.shipshape.twin=python;
# TWIN_LABEL=key=value adds one more label (inherited by every image built FROM the
# twin, the classic builder's intermediate images included, so a test can remove all
# of them by that label). Progress goes to stderr; stdout gets the tag (or the path).
set -euo pipefail

suite=trixie
python_version_major=3.13
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
starter=$(cd "$here/../task-api/starter" && pwd)
requirements=("$starter/requirements.txt" "$starter/requirements-dev.txt")
cache=${SHIPSHAPE_TESTBED_CACHE:-/var/cache/shipshape-testbed}
share=/usr/local/share/shipshape-twin

say() { printf 'python-base: %s\n' "$*" >&2; }
die() {
	printf 'python-base: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	echo "usage: $0 [--print-tarball] [--cached-only] [TAG]   (TAG defaults to shipshape-test/python:3.13-slim)" >&2
	exit 2
}

print_tarball=0
cached_only=0
tag=
while [[ $# -gt 0 ]]; do
	case $1 in
	--print-tarball | --tarball-only) print_tarball=1 ;;
	--cached-only) cached_only=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[[ -z $tag ]] || usage
		tag=$1
		;;
	esac
	shift
done
tag=${tag:-shipshape-test/python:3.13-slim}

for f in "${requirements[@]}"; do
	[[ -f $f ]] || die "missing $f"
done

# ---- the cache key and the tarball's name ----
key=$(cat "$self" "${requirements[@]}" | sha256sum | cut -c1-16)
if command -v zstd >/dev/null 2>&1; then
	ext=tar.zst
	compress() { zstd -q -T0 -10; }
else
	ext=tar.gz
	compress() { gzip -6; }
fi
decompress() { # FILE
	case $1 in
	*.zst) zstd -q -dc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	esac
}
find_cached() { # prints the cached tarball of this key, if any
	local f
	for f in "$cache/python-twin-$key.tar.zst" "$cache/python-twin-$key.tar.gz"; do
		if [[ -s $f ]] && [[ -s $f.env ]] && { [[ $f == *.gz ]] || command -v zstd >/dev/null 2>&1; }; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	return 1
}

# ---- building the rootfs (only when the cache has no tarball for this key) ----
debian_mirror() {
	if [[ -n ${DEBIAN_MIRROR:-} ]]; then
		printf '%s\n' "$DEBIAN_MIRROR"
		return
	fi
	local uri
	# deb822 (URIs: ...) and one-line (deb URI suite ...) sources; the first
	# .../debian that is not debian-security, ports or a third-party repository.
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^[[:space:]]*URIs:/ { for (i = 2; i <= NF; i++) print $i }
		     /^[[:space:]]*deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' |
		grep -E '^https?://[^ ]*/debian/?$' | head -n 1 || true)
	printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

check_archive() { # MIRROR
	local url="$1/dists/$suite/Release"
	if command -v curl >/dev/null 2>&1; then
		curl -fsS -m 30 -o /dev/null "$url" 2>/dev/null
	elif command -v wget >/dev/null 2>&1; then
		wget -q -T 30 -O /dev/null "$url"
	else
		return 0 # debootstrap will tell
	fi
}

build_tarball() { # OUT: write the compressed rootfs to OUT
	local out=$1 mirror root
	[[ $(id -u) == 0 ]] || die "building the rootfs needs root (debootstrap, chroot); run as root or put a tarball in $cache"
	command -v debootstrap >/dev/null 2>&1 ||
		die "debootstrap is not installed (Debian/Ubuntu: apt-get install -y debootstrap)"
	[[ -e /usr/share/debootstrap/scripts/$suite ]] ||
		die "this debootstrap does not know $suite; install a newer debootstrap"
	mirror=$(debian_mirror)
	mirror=${mirror%/}
	say "checking the Debian archive $mirror ($suite)"
	check_archive "$mirror" ||
		die "the Debian archive is unreachable: $mirror/dists/$suite/Release (set DEBIAN_MIRROR to a reachable mirror)"

	root=$(mktemp -d "$cache/rootfs.XXXXXX")
	# shellcheck disable=SC2064 # expand $root now
	trap "umount_all '$root'; rm -rf '$root' '$out.part'" EXIT
	trap 'exit 130' INT TERM

	local app_debs=python3-fastapi,python3-uvicorn,python3-pydantic,python3-pydantic-settings,python3-httpx,python3-pytest
	local keep_debs=python3,python3-venv,ca-certificates,netbase,tzdata
	say "debootstrap --variant=minbase $suite with $keep_debs and, for the wheelhouse, $app_debs (about a minute)"
	if ! debootstrap --variant=minbase --include="$keep_debs,$app_debs" "$suite" "$root" "$mirror" >"$root.log" 2>&1; then
		tail -n 20 "$root.log" >&2
		rm -f "$root.log"
		die "debootstrap failed (log above)"
	fi
	rm -f "$root.log"

	say "repackaging Debian's python3-* packages as wheels"
	mkdir -p "$root$share/wheels" "$root/tmp/shipshape-twin"
	cp "${requirements[@]}" "$root/tmp/shipshape-twin/"
	write_wheel_builder >"$root/tmp/shipshape-twin/mkwheels.py"
	chroot "$root" /usr/bin/python3 -I /tmp/shipshape-twin/mkwheels.py \
		"$share/wheels" "$share/VERSIONS" /tmp/shipshape-twin/requirements.txt /tmp/shipshape-twin/requirements-dev.txt >&2
	rm -rf "$root/tmp/shipshape-twin"

	say "purging the Debian packages of the app (only the interpreter, venv and the wheelhouse stay)"
	# Everything that is neither Priority: required nor in keep_debs is "automatically
	# installed"; autoremove then purges the app's packages and what only they needed.
	local p keep=" ${keep_debs//,/ } "
	local -a auto=()
	# shellcheck disable=SC2016 # dpkg-query's ${field} syntax, not the shell's
	local fmt='${Package} ${Priority}\n'
	while read -r p prio; do
		[[ $prio == required || $keep == *" $p "* ]] || auto+=("$p")
	done < <(chroot "$root" dpkg-query -W -f "$fmt")
	chroot "$root" apt-mark auto "${auto[@]}" >/dev/null
	chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o Dpkg::Use-Pty=0 autoremove --purge >/dev/null
	if compgen -G "$root/usr/lib/python3/dist-packages/*" >/dev/null; then
		die "still in /usr/lib/python3/dist-packages after the purge: $(find "$root/usr/lib/python3/dist-packages" -mindepth 1 -maxdepth 1 -printf '%f ')"
	fi

	say "installing pip (Debian's python3-pip-whl) into /usr/local, /etc/pip.conf, /usr/local/bin"
	rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
	ln -sf /usr/bin/python$python_version_major "$root/usr/local/bin/python$python_version_major"
	ln -sf python$python_version_major "$root/usr/local/bin/python3"
	ln -sf python3 "$root/usr/local/bin/python"
	[[ -e $root/usr/bin/pydoc$python_version_major ]] && ln -sf /usr/bin/pydoc$python_version_major "$root/usr/local/bin/pydoc"
	local pipwhl
	pipwhl=$(cd "$root" && find usr/share/python-wheels -name 'pip-*.whl' | sort | tail -n 1)
	[[ -n $pipwhl ]] || die "no pip wheel in /usr/share/python-wheels (python3-pip-whl)"
	# The way the official image gets its pip: the wheel installs itself. Run as
	# /usr/local/bin/python3.13 so the launchers say #!/usr/local/bin/python3.13.
	chroot "$root" /usr/local/bin/python$python_version_major "/$pipwhl/pip" install -q --no-index --no-cache-dir \
		--disable-pip-version-check --root-user-action=ignore --no-compile "/$pipwhl" >&2
	for p in pip pip3 "pip$python_version_major"; do
		[[ -x $root/usr/local/bin/$p ]] || die "pip did not install /usr/local/bin/$p"
	done
	cat >"$root/etc/pip.conf" <<EOF
# shipshape twin of python:3.13-slim: no PyPI here. pip installs from the wheelhouse
# of Debian's packages; see $share/VERSIONS for what each wheel really contains.
[global]
no-index = true
find-links = $share/wheels
disable-pip-version-check = true
EOF

	say "slimming (apt lists and caches, docs, man pages, locales, .pyc)"
	slim "$root"
	local pyver
	pyver=$(chroot "$root" /usr/local/bin/python3 -c 'import platform; print(platform.python_version())')
	[[ -x $root/usr/sbin/useradd && -x $root/usr/sbin/groupadd && -x $root/usr/sbin/nologin ]] ||
		die "useradd, groupadd or /usr/sbin/nologin missing in the rootfs"

	say "packing the rootfs ($ext)"
	umount_all "$root"
	tar --numeric-owner --sort=name -C "$root" \
		--exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' \
		-cf - . | compress >"$out.part"
	printf 'PYTHON_VERSION=%s\n' "$pyver" >"$out.env"
	mv -f "$out.part" "$out"
	rm -rf "$root"
	trap - EXIT INT TERM
}

umount_all() { # ROOT: anything debootstrap or a failed run left mounted below ROOT
	local m
	while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done < <(awk -v r="$1" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r)
}

slim() { # ROOT
	local r=$1
	rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/var/cache/debconf/*-old \
		"$r"/var/lib/dpkg/*-old "$r"/var/log/*.log "$r"/var/log/apt/* "$r"/tmp/* "$r"/var/tmp/* \
		"$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/groff/* "$r"/usr/share/lintian/* \
		"$r"/usr/share/linda/* "$r"/usr/share/bug/*
	# Docs go, the copyright files stay (as in Debian's slim images).
	find "$r/usr/share/doc" -mindepth 1 -depth ! -name copyright ! -type d -delete
	find "$r/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
	# Locales: C.UTF-8 is built into glibc (/usr/lib/locale/C.utf8); no translations.
	find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
	find "$r/usr/lib/locale" -mindepth 1 -maxdepth 1 ! -name 'C.utf8' -exec rm -rf {} +
	# No byte code, like the official image (nothing recompiles it at build time).
	find "$r" -xdev -depth \( -type d -name __pycache__ -exec rm -rf {} + \) -o \( -type f -name '*.py[co]' -delete \)
	# Future apt-get installs in a Dockerfile stay slim too (Debian's slim images do this).
	mkdir -p "$r/etc/dpkg/dpkg.cfg.d" "$r/etc/apt/apt.conf.d"
	cat >"$r/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
	cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$r/etc/apt/apt.conf.d/docker-no-recommends"
	# The host's name and resolver have no business in the image (Docker mounts its own).
	: >"$r/etc/resolv.conf"
	: >"$r/etc/hostname"
	chmod 644 "$r/etc/resolv.conf" "$r/etc/hostname"
	rm -f "$r/etc/machine-id" "$r/var/lib/dbus/machine-id"
}

# The wheel builder runs inside the rootfs with Debian's python3. It starts from the
# requirements files, follows Requires-Dist (markers evaluated for this interpreter,
# extras not followed) through the installed Debian distributions, and writes one
# wheel per distribution from the files its Debian package installs below
# /usr/lib/python3/dist-packages, plus an alias wheel where a pin differs.
write_wheel_builder() {
	cat <<'PYEOF'
import base64, email.parser, hashlib, importlib.metadata as md, os, platform, re, subprocess, sys, zipfile

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # pip's own copy
    sys.path.insert(0, next(os.path.join("/usr/share/python-wheels", p) for p in os.listdir("/usr/share/python-wheels") if p.startswith("pip-")))
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

out_dir, versions_file, req_files = sys.argv[1], sys.argv[2], sys.argv[3:]
SITE = "/usr/lib/python3/dist-packages/"
EPOCH = (1980, 1, 1, 0, 0, 0)

def fail(msg):
    sys.exit("mkwheels: " + msg)

# name -> pinned version (from requirements*.txt)
pins, roots = {}, []
for f in req_files:
    for line in open(f):
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        r = Requirement(line)
        n = canonicalize_name(r.name)
        roots.append(n)
        for s in r.specifier:
            if s.operator == "==":
                pins[n] = s.version

dists = {canonicalize_name(d.metadata["Name"]): d for d in md.distributions(path=[SITE.rstrip("/")])}

def deps(d):
    out = []
    for s in d.requires or []:
        r = Requirement(s)
        if r.marker is not None and not r.marker.evaluate({"extra": ""}):
            continue
        out.append(r)
    return out

# The closure of the requirements over the installed Debian distributions.
todo, closure = list(roots), {}
while todo:
    n = todo.pop()
    if n in closure:
        continue
    if n not in dists:
        fail(f"{n} is required but no Debian package provides it")
    closure[n] = dists[n]
    todo.extend(canonicalize_name(r.name) for r in deps(dists[n]))

# The version pip will pick of each: the pin, or Debian's version.
chosen = {n: pins.get(n, d.version) for n, d in closure.items()}
for n, d in sorted(closure.items()):
    for r in deps(d):
        v = chosen[canonicalize_name(r.name)]
        if not r.specifier.contains(v, prereleases=True):
            fail(f"{n} requires {r}, but the wheelhouse would have {r.name} {v}: pip check would fail")

def owner(path):
    out = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True, check=True).stdout
    pkg = out.split(":", 1)[0].strip()
    ver = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True, check=True).stdout
    return pkg, ver

def pkg_files(pkg):
    out = subprocess.run(["dpkg-query", "-L", pkg], capture_output=True, text=True, check=True).stdout.split("\n")
    files = []
    for p in out:
        if not p.startswith(SITE) or not os.path.isfile(p):
            continue
        rel = p[len(SITE):]
        parts = rel.split("/")
        if "__pycache__" in parts or rel.endswith((".pyc", ".pyo")):
            continue
        if re.search(r"\.(dist|egg)-info$", parts[0]):
            continue  # metadata is written fresh below
        files.append(rel)
    return sorted(files)

def metadata_text(d, version):
    base = str(d._path)
    if base.endswith(".dist-info"):
        text = open(os.path.join(base, "METADATA"), encoding="utf-8").read()
    else:  # egg-info: PKG-INFO plus requires.txt as Requires-Dist
        raw = open(os.path.join(base, "PKG-INFO"), encoding="utf-8").read()
        head, _, body = raw.partition("\n\n")
        lines = [l for l in head.split("\n") if not l.startswith(("Requires-Dist:", "Provides-Extra:"))]
        extras = []
        for s in d.requires or []:
            m = re.search(r"""extra == ["']([^"']+)["']""", s)
            if m and m.group(1) not in extras:
                extras.append(m.group(1))
        lines += [f"Provides-Extra: {e}" for e in extras]
        lines += [f"Requires-Dist: {s}" for s in d.requires or []]
        text = "\n".join(lines) + "\n\n" + body
    text, n = re.subn(r"^Version: .*$", f"Version: {version}", text, count=1, flags=re.M)
    if n != 1:
        fail(f"no Version: line in the metadata of {d.metadata['Name']}")
    return text

def b64(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

machine = {"x86_64": "x86_64", "aarch64": "aarch64", "armv7l": "armv7l", "i686": "i686"}.get(platform.machine(), platform.machine())
pytag = "cp%d%d" % sys.version_info[:2]

def write_wheel(n, d, version, files):
    name = d.metadata["Name"]
    wname = re.sub(r"[-_.]+", "_", name).lower()
    binary = any(f.endswith(".so") or ".so." in f for f in files)
    tag = f"{pytag}-{pytag}-linux_{machine}" if binary else "py3-none-any"
    di = f"{wname}-{version}.dist-info"
    entries = [(f, open(SITE + f, "rb").read(), os.stat(SITE + f).st_mode) for f in files]
    meta = {"METADATA": metadata_text(d, version).encode()}
    meta["WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: shipshape-twin (repackaged Debian {n})\n"
                     f"Root-Is-Purelib: {'false' if binary else 'true'}\nTag: {tag}\n").encode()
    for extra in ("entry_points.txt", "top_level.txt"):
        t = d.read_text(extra)
        if t:
            meta[extra] = t.encode()
    entries += [(f"{di}/{k}", v, 0o100644) for k, v in meta.items()]
    record = "".join(f"{p},sha256={b64(data)},{len(data)}\n" for p, data, _ in entries) + f"{di}/RECORD,,\n"
    entries.append((f"{di}/RECORD", record.encode(), 0o100644))
    path = os.path.join(out_dir, f"{wname}-{version}-{tag}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, data, mode in entries:
            zi = zipfile.ZipInfo(p, EPOCH)
            zi.external_attr = (mode & 0xFFFF) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return os.path.basename(path)

os.makedirs(out_dir, exist_ok=True)
lines = ["# What each wheel of the shipshape twin's wheelhouse really contains.",
         "# wheel  <-  Debian package (version): the code of which upstream version",
         f"# {sys.version.split()[0]} {platform.machine()}; pins from " + ", ".join(os.path.basename(f) for f in req_files), ""]
for n, d in sorted(closure.items()):
    pkg, debver = owner(str(d._path))
    files = pkg_files(pkg)
    if not files:
        fail(f"the Debian package {pkg} of {n} installs no files below {SITE}")
    versions = [d.version]
    if n in pins and pins[n] != d.version:
        versions.append(pins[n])  # the alias pip installs for the pin
    for v in versions:
        w = write_wheel(n, d, v, files)
        note = "" if v == d.version else f"  ALIAS: pinned {v}, really {d.version}"
        lines.append(f"{w}  <-  {pkg} ({debver}): {d.metadata['Name']} {d.version}{note}")
        print(f"  {w}{note}", file=sys.stderr)
with open(versions_file, "w") as f:
    f.write("\n".join(lines) + "\n")
PYEOF
}

# ---- main ----
mkdir -p "$cache" || die "cannot create the cache directory $cache (set SHIPSHAPE_TESTBED_CACHE)"
tarball=$(find_cached || true)
if [[ -z $tarball ]] && ((cached_only)); then
	say "no cached rootfs for key $key in $cache (--cached-only: not building it)"
	exit 3
fi
if [[ -z $tarball ]]; then
	# One builder per key at a time: a second caller waits, then finds the tarball.
	exec 9>"$cache/python-twin-$key.lock"
	if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
		say "another run is building the rootfs of key $key; waiting for it"
		flock 9
	fi
	tarball=$(find_cached || true)
	if [[ -z $tarball ]]; then
		t0=$SECONDS
		say "no cached rootfs for key $key in $cache: building it"
		build_tarball "$cache/python-twin-$key.$ext"
		tarball="$cache/python-twin-$key.$ext"
		say "rootfs built in $((SECONDS - t0)) s: $tarball ($(du -h "$tarball" | cut -f1))"
	fi
	exec 9>&-
else
	say "cached rootfs $tarball"
fi

if ((print_tarball)); then
	printf '%s\n' "$tarball"
	exit 0
fi

command -v docker >/dev/null 2>&1 || die "no docker CLI"
extra_label=${TWIN_LABEL:-dev.shipshape.twin=python}
# Already imported from this very tarball, with the same labels: nothing to do.
have=$(docker image inspect --format '{{index .Config.Labels "dev.shipshape.twin.key"}} {{json .Config.Labels}}' "$tag" 2>/dev/null || true)
extra_json=$(printf '"%s":"%s"' "${extra_label%%=*}" "${extra_label#*=}")
if [[ $have == "$key "* && $have == *"$extra_json"* ]]; then
	say "$tag is already the twin of key $key; not importing again"
	printf '%s\n' "$tag"
	exit 0
fi
# shellcheck source=/dev/null
pyver=$(. "$tarball.env" && printf '%s' "$PYTHON_VERSION")
say "docker import $tarball as $tag"
decompress "$tarball" | docker import \
	--change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV LANG=C.UTF-8' \
	--change "ENV PYTHON_VERSION=$pyver" \
	--change 'LABEL dev.shipshape.managed=true' \
	--change 'LABEL dev.shipshape.twin=python' \
	--change "LABEL dev.shipshape.twin.key=$key" \
	--change "LABEL $extra_label" \
	--change 'CMD ["python3"]' \
	-m "shipshape twin of python:3.13-slim (Debian $suite, key $key)" \
	- "$tag" >/dev/null
printf '%s\n' "$tag"
