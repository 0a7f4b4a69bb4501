#!/usr/bin/env bash
# wine-test.sh: the Windows suite under Wine.
#
#   .ci/wine-test.sh
#
# Builds the Windows test binary and difyctl.exe and runs them under Wine
# (wine64, Debian's Wine 8) in a throw-away WINEPREFIX:
#   1. the Windows unit tests (TestWindows*: Credential Manager, LockFileEx
#      between processes, the DPAPI-wrapped sealed-file key) inside
#      difyctl.test.exe;
#   2. TestWine* on the Linux side: difyctl.exe signs in to the fake
#      server running natively on 127.0.0.1 and must print what the Linux
#      binary prints, step by step; `auth list | head -1` exits 0.
# Go's Windows runtime needs ProcessPrng from bcryptprimitives.dll, which
# Wine 8 lacks: a small stand-in DLL is built from testdata/wine/ with
# mingw-w64 and copied into the prefix (never committed as a binary).
#
# Needs: apt-get install -y wine64 gcc-mingw-w64-x86-64
# Nothing outside the temp dir is touched; the prefix is deleted at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
start=$(date +%s)

loader=""
for c in wine64 /usr/lib/wine/wine64 /usr/lib64/wine/wine64 wine; do
	if command -v "$c" >/dev/null 2>&1; then loader=$(command -v "$c"); break; fi
done
if [ -z "$loader" ]; then
	echo "$0: wine64 is missing (apt-get install -y wine64 gcc-mingw-w64-x86-64)" >&2
	exit 1
fi
wineboot=$(command -v wineboot || true)
if [ -z "$wineboot" ] || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
	echo "$0: wineboot or x86_64-w64-mingw32-gcc is missing (apt-get install -y wine64 gcc-mingw-w64-x86-64)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/difyctl-wine.XXXXXX")
cleanup() {
	# Stop this prefix's wineserver (and only it) before removing it.
	WINEPREFIX="$work/prefix" wineserver -k >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export WINEPREFIX="$work/prefix"
export WINEDEBUG=-all
export WINEARCH=win64
# Console programs need no X display; keep Wine from looking for one and
# from offering to install Mono or Gecko.
export DISPLAY=
export WINEDLLOVERRIDES="mscoree,mshtml="
unset WAYLAND_DISPLAY
# Wine names the Windows user after $USER; CI may not set it.
export USER="${USER:-$(id -un)}"

echo "-- wine: $("$loader" --version 2>/dev/null || echo unknown) ($loader)"
echo "-- creating the prefix"
"$wineboot" -i >/dev/null 2>&1
system32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -d "$system32" ]; then
	echo "$0: wineboot did not create $system32" >&2
	exit 1
fi

echo "-- building the ProcessPrng shim (testdata/wine/bcryptprimitives.c)"
x86_64-w64-mingw32-gcc -shared -O2 -s -Wl,--kill-at \
	-o "$system32/bcryptprimitives.dll" testdata/wine/bcryptprimitives.c

echo "-- building difyctl.test.exe"
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$work/difyctl.test.exe" .

echo "-- Windows unit tests under Wine"
# -test.run selects the tests that need no Go toolchain: TestMain builds
# nothing for them.
rc=0
(cd "$work" && "$loader" ./difyctl.test.exe -test.run '^TestWindows' -test.count=1 -test.v) >"$work/unit.log" 2>&1 || rc=$?
grep -E -- '^(--- |PASS|FAIL|panic|fatal)' "$work/unit.log" || true
passed=$(grep -c -- '^--- PASS: TestWindows' "$work/unit.log" || true)
if [ "$rc" -ne 0 ] || ! grep -qx PASS "$work/unit.log" || [ "$passed" -lt 10 ]; then
	echo "$0: the Windows unit tests failed (exit $rc, $passed passed):" >&2
	cat "$work/unit.log" >&2
	exit 1
fi

echo "-- black box: difyctl.exe under Wine against the fake server"
DIFYCTL_WINE=1 DIFYCTL_WINE_LOADER="$loader" DIFYCTL_WINE_TEST_EXE="$work/difyctl.test.exe" \
	go test -count=1 -run '^TestWine' -v . >"$work/blackbox.log" 2>&1 || rc=$?
grep -E -- '^(=== RUN|--- |ok|PASS|FAIL|panic)' "$work/blackbox.log" || true
if [ "$rc" -ne 0 ] || [ "$(grep -c -- '^--- PASS: TestWine' "$work/blackbox.log")" -lt 3 ]; then
	echo "$0: the black-box run under Wine failed (exit $rc):" >&2
	cat "$work/blackbox.log" >&2
	exit 1
fi

echo "-- Windows suite under Wine passed in $(($(date +%s) - start)) s"
