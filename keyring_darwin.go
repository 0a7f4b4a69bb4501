package main

// keyring_darwin.go: on macOS the OS store is the login keychain, reached
// through /usr/bin/security (securityKeyring, keyring_security.go: it only
// runs a program, so it is untagged and Linux CI drives it against
// testdata/fakesecurity).

import "time"

// newOSKeyring returns the login keychain.
func newOSKeyring(getenv func(string) string, timeout time.Duration) osKeyring {
	return newSecurityKeyring(getenv, timeout)
}

// keyringRemoveCommand is the command that deletes the keychain entry name
// by hand.
func keyringRemoveCommand(name string) string {
	return shellQuote("security", "delete-generic-password", "-s", keyringService, "-a", name)
}
