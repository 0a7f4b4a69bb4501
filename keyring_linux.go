package main

// keyring_linux.go: on Linux the OS store is the Secret Service, reached
// through secret-tool (secretToolKeyring, keyring_secrettool.go, shared
// with the BSDs in keyring_other.go).

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
