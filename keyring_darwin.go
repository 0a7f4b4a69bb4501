//go:build darwin

package main

// keyring_darwin.go: the login keychain through /usr/bin/security. The
// command building, quoting and exit-code mapping live in keyring.go
// (securityKeyring) so the Linux tests exercise them against a fake.

import "time"

// newOSKeyring returns this platform's OS store.
func newOSKeyring(getenv func(string) string, timeout time.Duration) osKeyring {
	return &securityKeyring{
		path:    "/usr/bin/security",
		env:     childEnv(getenv, securityEnvNames...),
		timeout: timeout,
	}
}
