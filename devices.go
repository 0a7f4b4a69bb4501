package main

// devices.go: auth devices list and auth devices revoke.

import "flag"

func notImplemented(fs *flag.FlagSet) func(a *app, args []string) error {
	return func(a *app, args []string) error {
		return newError("not_implemented", "not implemented yet", "")
	}
}

var devicesListCommand = &command{
	path:    "auth devices list",
	summary: "List active sessions for the current bearer",
	usage:   "auth devices list [--json] [--page <n>] [--limit <n>]",
	setup:   notImplemented,
}

var devicesRevokeCommand = &command{
	path:    "auth devices revoke",
	summary: "Revoke one or all session devices",
	usage:   "auth devices revoke [<target>] [--all] [-y|--yes]",
	setup:   notImplemented,
	maxArgs: 1,
}
