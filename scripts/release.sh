#!/usr/bin/env bash
# Builds sessionize release binaries into dist/ and writes dist/SHA256SUMS
# (`make release`).
#
#   scripts/release.sh                    # linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
#   scripts/release.sh linux/amd64        # only the targets named
#   STATIC=1 scripts/release.sh ...       # Linux binaries fully static (see README, Install)
#   DIST=/tmp/out scripts/release.sh      # another folder than dist/
#   BUILDVCS=false scripts/release.sh     # no commit stamped (git cannot read the clone)
#
# DuckDB is C++ linked through cgo, so every target needs a C compiler for that
# target. The compiler is $CC_<os>_<arch> when set (CC_linux_arm64=...), else:
#   the host's own platform           cc (or $CC)
#   linux/amd64, linux/arm64          x86_64-linux-gnu-gcc, aarch64-linux-gnu-gcc
#   darwin/* on macOS                 clang (Go passes -arch)
#   darwin/* elsewhere                osxcross with a macOS SDK: o64-clang, oa64-clang
# A target whose compiler is not installed is skipped with a message; the
# script fails only when it built nothing, or when a build it tried failed.
#
# Linux binaries link libstdc++ and libgcc statically, so they need only glibc
# (as new as the build machine's) on the machine that runs them: DuckDB's cgo
# flags name -lstdc++, which -static-libstdc++ does not override, so the link
# is pointed at a folder holding only the compiler's libstdc++.a.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)
fi
host="$(go env GOHOSTOS)/$(go env GOHOSTARCH)"

# compiler prints the C compiler for target $1, or nothing if none is installed.
compiler() {
	local os=${1%/*} arch=${1#*/} var="CC_${1%/*}_${1#*/}" cc=""
	if [ -n "${!var:-}" ]; then
		cc=${!var}
	elif [ "$1" = "$host" ]; then
		cc=${CC:-cc}
	elif [ "$os" = darwin ] && [ "$(go env GOHOSTOS)" = darwin ]; then
		cc=clang
	else
		case $1 in
		linux/amd64) cc=x86_64-linux-gnu-gcc ;;
		linux/arm64) cc=aarch64-linux-gnu-gcc ;;
		darwin/amd64) cc=o64-clang ;;
		darwin/arm64) cc=oa64-clang ;;
		esac
	fi
	# The compiler may carry flags ("zig cc -target ..."): look up its first word.
	if [ -n "$cc" ] && command -v "${cc%% *}" >/dev/null; then
		echo "$cc"
	fi
}

dist=${DIST:-dist}
mkdir -p "$dist"
rm -f "$dist"/sessionize-* "$dist/SHA256SUMS"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
built=()
for target in "${targets[@]}"; do
	os=${target%/*} arch=${target#*/}
	case $target in
	linux/amd64 | linux/arm64 | darwin/amd64 | darwin/arm64) ;;
	*)
		echo "release: unknown target $target (want linux/amd64, linux/arm64, darwin/amd64 or darwin/arm64)" >&2
		exit 2
		;;
	esac
	cc=$(compiler "$target")
	if [ -z "$cc" ]; then
		case $os in
		darwin) need="a macOS SDK and osxcross (o64-clang / oa64-clang), or a Mac" ;;
		*)
			triplet=${arch/amd64/x86-64}
			triplet=${triplet/arm64/aarch64}
			need="a C cross compiler (Debian: apt-get install gcc-$triplet-linux-gnu g++-$triplet-linux-gnu)"
			;;
		esac
		echo "release: skipping $target: no C compiler for it; it needs $need, or set CC_${os}_${arch}" >&2
		continue
	fi
	ldflags="-s -w"
	tags=""
	if [ "$os" = linux ]; then
		if [ "${STATIC:-}" = 1 ]; then
			# Fully static: glibc warns that dlopen, getpwuid and getaddrinfo
			# would need its shared libraries at run time; Go resolves names
			# itself (netgo, osusergo), and chdb targets, which dlopen
			# libchdb.so, do not work in such a binary.
			ldflags+=" -linkmode external -extldflags -static"
			tags="netgo,osusergo"
		else
			lib=$($cc -print-file-name=libstdc++.a)
			if [ -f "$lib" ]; then
				mkdir -p "$work/$os-$arch"
				ln -sf "$lib" "$work/$os-$arch/libstdc++.a"
				ldflags+=" -extldflags '-L$work/$os-$arch -static-libgcc'"
			else
				echo "release: $cc has no libstdc++.a: $target links libstdc++ dynamically" >&2
			fi
		fi
	fi
	out="$dist/sessionize-$os-$arch"
	echo "release: building $out with CC=$cc" >&2
	CGO_ENABLED=1 GOOS=$os GOARCH=$arch CC=$cc \
		go build -trimpath -buildvcs="${BUILDVCS:-auto}" -tags "$tags" -ldflags "$ldflags" -o "$out" ./cmd/sessionize
	built+=("$out")
done

if [ ${#built[@]} -eq 0 ]; then
	echo "release: built nothing: no C compiler for any of ${targets[*]}" >&2
	exit 1
fi
(
	cd "$dist"
	if command -v sha256sum >/dev/null; then
		sha256sum sessionize-* >SHA256SUMS
	else
		shasum -a 256 sessionize-* >SHA256SUMS
	fi
)
echo "release: wrote ${built[*]} and $dist/SHA256SUMS" >&2
