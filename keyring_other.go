//go:build !linux && !darwin && !windows

package main

// keyring_other.go: on the BSDs (and any other Unix) the OS store is the
// Secret Service through secret-tool, as on Linux.

import "time"

// newOSKeyring returns the Secret Service store.
func newOSKeyring(getenv func(string) string, timeout time.Duration) osKeyring {
	return newSecretToolKeyring(getenv, timeout)
}

// keyringRemoveCommand is the command that deletes the Secret Service entry
// name by hand.
func keyringRemoveCommand(name string) string {
	return secretToolClearCommand(name)
}
