#!/bin/sh
# keyring-session.sh COMMAND [ARGS...]
#
# Runs COMMAND inside a private D-Bus session bus with an unlocked
# gnome-keyring Secret Service, so difyctl's Secret Service tests run
# against a real store:
#
#   .ci/keyring-session.sh go test -run Keyring -v ./...
#
# Needs: apt-get install -y gnome-keyring libsecret-tools dbus-x11
# The bus, the keyring daemon and anything the bus activates run with a
# throwaway HOME (and XDG data/cache dirs), so the keyring files never
# touch the real home; COMMAND gets the caller's HOME and XDG variables
# back (go needs its caches). The exit status is COMMAND's.
set -eu

if [ $# -eq 0 ]; then
	echo "usage: $0 command [args...]" >&2
	exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool is missing (apt-get install -y gnome-keyring libsecret-tools dbus-x11)" >&2
		exit 1
	fi
done

keyhome=$(mktemp -d "${TMPDIR:-/tmp}/difyctl-keyring.XXXXXX")
trap 'rm -rf "$keyhome"' EXIT
trap 'exit 130' INT TERM
mkdir -m 700 "$keyhome/data" "$keyhome/cache"

rc=0
KS_HOME=${HOME-} KS_HOME_SET=${HOME+1} \
	KS_DATA=${XDG_DATA_HOME-} KS_DATA_SET=${XDG_DATA_HOME+1} \
	KS_CACHE=${XDG_CACHE_HOME-} KS_CACHE_SET=${XDG_CACHE_HOME+1} \
	HOME=$keyhome XDG_DATA_HOME=$keyhome/data XDG_CACHE_HOME=$keyhome/cache \
	dbus-run-session -- sh -c '
	set -eu
	# The daemon creates and unlocks a "login" keyring (the default
	# collection) with the password read from stdin, then forks.
	printf %s difyctl-test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	# Wait until it owns org.freedesktop.secrets, so nothing gets the bus
	# to activate a second one.
	i=0
	until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
		i=$((i + 1))
		if [ "$i" -ge 100 ]; then
			echo "keyring-session.sh: the Secret Service did not come up" >&2
			exit 1
		fi
		sleep 0.1
	done
	# A lookup of a missing item must exit 1 with nothing on stderr.
	if err=$(secret-tool lookup service difyctl-session-probe username probe 2>&1 >/dev/null) || [ -n "$err" ]; then
		echo "keyring-session.sh: the Secret Service does not answer as expected: $err" >&2
		exit 1
	fi
	if [ -n "$KS_HOME_SET" ]; then export HOME="$KS_HOME"; else unset HOME; fi
	if [ -n "$KS_DATA_SET" ]; then export XDG_DATA_HOME="$KS_DATA"; else unset XDG_DATA_HOME; fi
	if [ -n "$KS_CACHE_SET" ]; then export XDG_CACHE_HOME="$KS_CACHE"; else unset XDG_CACHE_HOME; fi
	unset KS_HOME KS_HOME_SET KS_DATA KS_DATA_SET KS_CACHE KS_CACHE_SET
	exec "$@"
' keyring-session "$@" || rc=$?
exit "$rc"
