#!/usr/bin/env sh
# release.sh: the release binaries, built so that anyone can rebuild them
# byte for byte from the same commit with the same Go version.
#
#   .ci/release.sh [-v VERSION] OUTDIR
#
# Builds difyctl for linux, darwin, windows and freebsd on amd64 and arm64
# into OUTDIR as difyctl-VERSION-OS-ARCH[.exe], then writes OUTDIR/SHA256SUMS.
# VERSION defaults to the one in main.go. Only the repository and the Go
# toolchain are used: modules come from vendor/, never the network.
#
# What makes the bytes depend on the sources alone:
#   -trimpath            no checkout or cache path in the binary
#   -buildvcs=false      no commit, time or dirty flag from git
#   CGO_ENABLED=0        no C toolchain, a static binary
#   -mod=vendor          the committed vendor/ tree, GOPROXY=off
#   -ldflags -X          the version stamp comes from here, not the build
#   GOAMD64, GOARM64     pinned to Go's defaults, whatever the caller's are
# Environment that could change the output (GOFLAGS, GOEXPERIMENT, CC) is
# cleared. The Go version still matters: the first line on stderr names
# the one that built it; rebuild with that version to compare.
set -eu
cd "$(dirname "$0")/.."

version=""
if [ "${1:-}" = "-v" ]; then
	version=${2:?-v needs a version}
	shift 2
fi
out=${1:?usage: .ci/release.sh [-v VERSION] OUTDIR}
if [ -z "$version" ]; then
	version=$(sed -n 's/^var version = "\(.*\)"$/\1/p' main.go)
fi
case $version in
'' | *[!0-9A-Za-z.+-]*) echo "release.sh: bad version: '$version'" >&2; exit 2 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/difyctl-* "$out/SHA256SUMS"

unset GOFLAGS GOEXPERIMENT CC CXX CGO_CFLAGS CGO_LDFLAGS GOARM GO386
export CGO_ENABLED=0 GOPROXY=off GOAMD64=v1 GOARM64=v8.0

echo "release.sh: $(go version), version $version" >&2
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 \
	windows/amd64 windows/arm64 freebsd/amd64 freebsd/arm64; do
	os=${target%/*}
	arch=${target#*/}
	ext=""
	[ "$os" = windows ] && ext=.exe
	name="difyctl-$version-$os-$arch$ext"
	GOOS=$os GOARCH=$arch go build -mod=vendor -trimpath -buildvcs=false \
		-ldflags "-s -w -X main.version=$version" -o "$out/$name" .
	echo "  $name" >&2
done

cd "$out"
if command -v sha256sum >/dev/null 2>&1; then
	sha256sum difyctl-* >SHA256SUMS
else
	shasum -a 256 difyctl-* >SHA256SUMS # macOS, BSD
fi
cat SHA256SUMS
