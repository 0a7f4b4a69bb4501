package main

// credentials.go: the token type and the small interface commands use to
// reach a context's token, wherever it is stored.

import (
	"errors"
	"fmt"
)

// token is a bearer token. It never prints itself: String, GoString,
// Format and MarshalJSON all give [redacted], so a token that slips into an
// error, a log line or a %v stays secret. reveal is the one way out.
type token struct{ secret string }

func newToken(s string) token { return token{secret: s} }

func (t token) reveal() string                { return t.secret }
func (t token) isEmpty() bool                 { return t.secret == "" }
func (t token) String() string                { return "[redacted]" }
func (t token) GoString() string              { return "[redacted]" }
func (t token) Format(f fmt.State, verb rune) { f.Write([]byte("[redacted]")) }
func (t token) MarshalJSON() ([]byte, error)  { return []byte(`"[redacted]"`), nil }
func (t token) MarshalText() ([]byte, error)  { return []byte("[redacted]"), nil }
func (t *token) UnmarshalJSON(b []byte) error {
	return errors.New("token: refusing to decode into a redacted type")
}

// errNoCredential means no store holds a token for the context.
var errNoCredential = errors.New("no credential stored")

// tokenStore is what commands need from credential storage.
type tokenStore interface {
	// find returns the context's token from its recorded store, then the
	// other store, then the official client's plaintext tokens.yml.
	// It returns errNoCredential when none holds one.
	find(host string, c *contextEntry) (token, error)
	// save stores a token for host+email and returns where it went
	// ("keychain" or "sealed") for the context's token_storage.
	save(host, email string, t token) (storage string, err error)
	// forget deletes the context's token from every store that holds it.
	forget(host string, c *contextEntry) error
}

// newTokenStore builds the store chain for this machine.
// TODO(credential storage issue): replaced by the real chain.
func newTokenStore(a *app) (tokenStore, error) {
	return nil, newError("not_implemented", "not implemented yet", "")
}
