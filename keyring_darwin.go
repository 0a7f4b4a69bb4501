//go:build darwin

package main

// keyring_darwin.go: the login keychain through /usr/bin/security. The
// command building, quoting and exit-code mapping live in keyring.go
// (securityKeyring) so the Linux tests exercise them against a fake
// (testdata/fakesecurity).
//
// The tool is run by its absolute system path, never looked up on PATH:
// a `security` earlier on PATH (or in a relative PATH entry) would get the
// token on its stdin.

import "time"

// newOSKeyring returns this platform's OS store.
func newOSKeyring(getenv func(string) string, timeout time.Duration) osKeyring {
	return &securityKeyring{
		path:    "/usr/bin/security",
		env:     childEnv(getenv, securityEnvNames...),
		timeout: timeout,
	}
}
