#!/usr/bin/env sh
# Try difyctl without a Dify host: builds difyctl and the bundled fake Dify
# server, starts the fake with -auto-approve, and signs in, lists, switches
# and signs out in a throw-away config dir. Needs only the Go toolchain.
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
go build -o "$work/difyctl" .
go build -o "$work/fakedify" ./testdata/fakedify
"$work/fakedify" -auto-approve -interval 1 -email you@example.com -name "You" >"$work/fake.out" &
fake_pid=$!
tries=0
while ! grep -q '^listening on ' "$work/fake.out" 2>/dev/null; do
	tries=$((tries + 1))
	if [ "$tries" -gt 100 ] || ! kill -0 "$fake_pid" 2>/dev/null; then
		echo "demo: the fake server did not start:" >&2
		cat "$work/fake.out" >&2
		exit 1
	fi
	sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/fake.out")

export DIFY_CONFIG_DIR="$work/config" DIFY_DATA_DIR="$work/data" DIFY_TOKEN_STORAGE=sealed
run() { printf '\n$ difyctl %s\n' "$*"; "$work/difyctl" "$@"; }
run auth login --host "$url" --insecure --no-browser
run auth whoami
run auth list
run auth list -o json
run auth devices list
run auth logout
run auth list
