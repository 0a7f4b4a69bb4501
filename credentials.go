package main

// credentials.go: the token type, the small interface commands use to
// reach a context's token, and the chain behind it (SPEC §3): which store
// a new token goes to, the order stores are read in, and the move of the
// official client's plaintext tokens.yml into a real store.
//
// Stores: the OS credential store (keyring*.go) and the sealed file
// (sealed.go). Each context records where its token went
// (token_storage: keychain|sealed in hosts.yml).
//
// Locking: the sealed file and tokens.yml take the hosts.yml lock
// themselves, or join it when their store's update holds it (store.lock).
// save may run inside store.update — login stores its token and records
// the context in one critical section. find may itself update hosts.yml (moving a plaintext
// token), so never call find or forget from inside store.update: the
// outer update would then write back a model that misses that change.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// token is a bearer token. It never prints itself: String, GoString,
// Format and MarshalJSON all give [redacted], so a token that slips into an
// error, a log line or a %v stays secret. reveal is the one way out.
type token struct{ secret string }

func newToken(s string) token { holdSecret(s); return token{secret: s} }

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

// Where a context's token lives, as recorded in hosts.yml.
const (
	storageKeychain = "keychain"
	storageSealed   = "sealed"
)

const (
	// tokenStorageEnv forces a store: sealed (CI and tests) or keychain
	// (fail instead of falling back).
	tokenStorageEnv = "DIFY_TOKEN_STORAGE"
	// plaintextTokensName is the official client's plaintext token file.
	plaintextTokensName = "tokens.yml"
)

// newTokenStore builds the store chain for this machine: the platform's
// OS store, the sealed file, and the plaintext file to migrate from.
func newTokenStore(a *app) (tokenStore, error) {
	st, err := a.store()
	if err != nil {
		return nil, err
	}
	force, err := storageOverride(a.getenv)
	if err != nil {
		return nil, err
	}
	return newCredentialChain(a, st, newOSKeyring(a.getenv, keyringTimeoutFrom(a.getenv)), force), nil
}

// newCredentialChain wires a chain around a given OS store (tests pass a
// fake one).
func newCredentialChain(a *app, st *store, k osKeyring, force string) *credentialChain {
	keyDir, keyErr := dataDir(a.getenv)
	return &credentialChain{
		a:      a,
		st:     st,
		os:     k,
		sealed: &sealedStore{dir: st.dir, keyDir: keyDir, keyDirErr: keyErr, st: st},
		force:  force,
	}
}

// storageOverride reads DIFY_TOKEN_STORAGE: "", sealed or keychain.
func storageOverride(getenv func(string) string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(tokenStorageEnv))); v {
	case "", storageSealed, storageKeychain:
		return v, nil
	default:
		return "", usageError(fmt.Sprintf("%s must be sealed or keychain, not %q", tokenStorageEnv, sanitize(v)),
			"unset "+tokenStorageEnv+" to let difyctl choose")
	}
}

// credentialChain is the tokenStore commands use.
var _ tokenStore = (*credentialChain)(nil)

type credentialChain struct {
	a      *app
	st     *store
	os     osKeyring
	sealed *sealedStore
	force  string // "", storageSealed or storageKeychain
	// noticed is set once the fallback notice was printed.
	noticed bool
}

func (c *credentialChain) ctx() context.Context {
	if c.a.ctx != nil {
		return c.a.ctx
	}
	return context.Background()
}

// recordTokenStorage notes in hosts.yml where a context's token went: the
// context's own token_storage (keychain|sealed) and the global key the
// official client reads (keychain|file; it rejects any other value).
// Login calls it inside its store.update, after save.
func recordTokenStorage(h *hostsFile, host, email, storage string) {
	if ce := h.host(host).account(email); ce != nil {
		ce.TokenStorage = storage
	}
	if storage == storageKeychain {
		h.TokenStorage = "keychain"
	} else {
		h.TokenStorage = "file"
	}
}

// save stores t for host+email (SPEC §3 "Choosing"): the OS store first,
// with a write and read-back of the real token; if that fails, the sealed
// file and one stderr line saying why. DIFY_TOKEN_STORAGE=sealed skips the
// OS store; =keychain fails with keyring_unavailable instead of falling
// back. A stale copy in the other store is deleted. It returns the store
// to record: "keychain" or "sealed".
func (c *credentialChain) save(host, email string, t token) (string, error) {
	if host == "" || email == "" || t.isEmpty() {
		return "", newError("credential_unwritable", "cannot store a token without a host, an email and a value", "")
	}
	reason := ""
	if c.force != storageSealed {
		err := keyringPut(c.ctx(), c.os, host, email, t)
		if err == nil {
			c.dropStale(storageSealed, host, email)
			return storageKeychain, nil
		}
		if errors.Is(err, errInterrupted) {
			return "", err
		}
		if c.force == storageKeychain {
			return "", keyringUnavailable(err)
		}
		reason = fallbackReason(err)
		if keyringKind(err) == keyringRejected {
			c.dropStale(storageKeychain, host, email)
		}
	}
	if err := c.sealed.put(host, email, t); err != nil {
		return "", err
	}
	if reason != "" {
		c.notice(reason)
	} else {
		c.dropStale(storageKeychain, host, email)
	}
	return storageSealed, nil
}

// notice prints the fallback line once per process.
func (c *credentialChain) notice(reason string) {
	if c.noticed {
		return
	}
	c.noticed = true
	c.a.warn(fmt.Sprintf("OS credential store unavailable (%s); token sealed in %s", reason, c.sealed.path()))
}

// fallbackReason is the part of a store failure the notice shows.
func fallbackReason(err error) string {
	var ke *keyringError
	if errors.As(err, &ke) && ke.kind == keyringAbsent {
		return ke.reason
	}
	return err.Error()
}

func keyringKind(err error) keyringErrKind {
	var ke *keyringError
	if errors.As(err, &ke) {
		return ke.kind
	}
	return keyringFailed
}

// dropStale deletes a context's copy from the store it did not go to, so
// an old token cannot be read back later. Best effort: a store that is
// absent or fails only leaves the stale copy behind, and the recorded
// store is always read first.
func (c *credentialChain) dropStale(where, host, email string) {
	switch where {
	case storageSealed:
		c.sealed.remove(host, email)
	case storageKeychain:
		if c.os.usable() == nil {
			keyringDelete(c.ctx(), c.os, host, email)
		}
	}
}

// readOrder is the order stores are read for a context: its recorded
// store, then the other. Unknown means the OS store first, unless the
// sealed file is forced.
func (c *credentialChain) readOrder(recorded string) []string {
	switch {
	case recorded == storageSealed, recorded != storageKeychain && c.force == storageSealed:
		return []string{storageSealed, storageKeychain}
	}
	return []string{storageKeychain, storageSealed}
}

// find returns the context's token: the recorded store, the other store,
// then the official client's plaintext tokens.yml, whose token is moved
// into a real store. When nothing holds it, a store that could not be read
// is reported (keyring_unavailable, credential_unreadable) rather than
// errNoCredential, so a locked keychain never looks like "signed out".
func (c *credentialChain) find(host string, ce *contextEntry) (token, error) {
	email := ce.Email
	var osErr, sealedErr error
	for _, where := range c.readOrder(ce.TokenStorage) {
		var t token
		var err error
		if where == storageKeychain {
			t, err = keyringGet(c.ctx(), c.os, host, email)
		} else {
			t, err = c.sealed.get(host, email)
		}
		switch {
		case err == nil:
			return t, nil
		case errors.Is(err, errInterrupted):
			return token{}, err
		case errors.Is(err, errKeyringNotFound), errors.Is(err, errNoCredential):
		case where == storageKeychain:
			osErr = err
		default:
			sealedErr = err
		}
	}
	t, plainErr := c.fromPlaintext(host, ce)
	if plainErr == nil {
		return t, nil
	}
	if errors.Is(plainErr, errNoCredential) {
		plainErr = nil
	}
	switch {
	case ce.TokenStorage == storageKeychain && osErr != nil:
		return token{}, keyringUnavailable(osErr)
	case ce.TokenStorage == storageSealed && sealedErr != nil:
		return token{}, sealedErr
	case osErr != nil && keyringKind(osErr) != keyringAbsent:
		return token{}, keyringUnavailable(osErr)
	case sealedErr != nil:
		return token{}, sealedErr
	case plainErr != nil:
		return token{}, plainErr
	}
	return token{}, errNoCredential
}

// forget deletes the context's token from the OS store, the sealed file
// and the plaintext file. Absent items are fine; any other failure is
// returned (logout shows it as a warning). An OS store that is absent
// here only counts when the context's token was recorded there.
func (c *credentialChain) forget(host string, ce *contextEntry) error {
	email := ce.Email
	var errs []*cliError
	err := keyringDelete(c.ctx(), c.os, host, email)
	switch {
	case err == nil, errors.Is(err, errKeyringNotFound):
	case errors.Is(err, errInterrupted):
		return err
	case keyringKind(err) == keyringAbsent && ce.TokenStorage != storageKeychain:
	default:
		errs = append(errs, keyringUnavailable(err))
	}
	if err := c.sealed.remove(host, email); err != nil {
		errs = append(errs, asCLIError(err))
	}
	if err := c.plaintextRemove(host, email); err != nil {
		errs = append(errs, asCLIError(err))
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	return newError(errs[0].Code, strings.Join(msgs, "; "), errs[0].Hint)
}

// ---------------------------------------------------------------------------
// The official client's plaintext tokens.yml

func (c *credentialChain) plaintextPath() string { return filepath.Join(c.st.dir, plaintextTokensName) }

// fromPlaintext reads the context's token from tokens.yml and moves it:
// into the store save picks, out of tokens.yml, and the context's
// token_storage into hosts.yml, with one notice. If the move fails the
// token is still returned and the plaintext left in place, with a warning.
func (c *credentialChain) fromPlaintext(host string, ce *contextEntry) (token, error) {
	email := ce.Email
	t, err := c.plaintextGet(host, email)
	if err != nil {
		return token{}, err
	}
	path := c.plaintextPath()
	storage, err := c.save(host, email, t)
	if err != nil {
		c.a.warn(fmt.Sprintf("the token for %s on %s is still in plaintext %s: %s", sanitize(email), sanitize(host), path, asCLIError(err).Message))
		return t, nil
	}
	if err := c.plaintextRemove(host, email); err != nil {
		c.a.warn(fmt.Sprintf("copied the token for %s on %s into the %s but could not delete it from plaintext %s: %s",
			sanitize(email), sanitize(host), storageDescription(storage), path, asCLIError(err).Message))
	} else {
		c.a.warn(fmt.Sprintf("moved the token for %s on %s from plaintext %s into the %s",
			sanitize(email), sanitize(host), path, storageDescription(storage)))
	}
	ce.TokenStorage = storage
	err = c.st.update(func(h *hostsFile) error {
		if h.host(host).account(email) != nil {
			recordTokenStorage(h, host, email, storage)
		}
		return nil
	})
	if err != nil {
		c.a.warn("could not record where the token went in " + c.st.hostsPath() + ": " + asCLIError(err).Message)
	}
	return t, nil
}

func storageDescription(storage string) string {
	if storage == storageKeychain {
		return "OS credential store"
	}
	return "sealed file"
}

// plaintextGet reads tokens[host][email] from tokens.yml under a shared
// lock. A file that is missing, not version 1 (as the official client
// reads it) or without that entry gives errNoCredential.
func (c *credentialChain) plaintextGet(host, email string) (token, error) {
	if _, err := os.Lstat(c.plaintextPath()); err != nil {
		return token{}, errNoCredential
	}
	unlock, err := c.st.lock(c.st.dir, false)
	if err == nil {
		defer unlock()
	} else if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, errReadOnlyLock) {
		return token{}, err
	}
	root, err := c.readPlaintext()
	if err != nil || root == nil {
		return token{}, err
	}
	v := root.get("tokens").get(host).get(email)
	if v == nil || v.Kind != yamlScalar || v.str() == "" {
		return token{}, errNoCredential
	}
	return newToken(v.str()), nil
}

// readPlaintext parses tokens.yml; nil (no error) when it is missing or
// not version 1. The caller holds the lock.
func (c *credentialChain) readPlaintext() (*yamlNode, error) {
	text, err := c.st.readText(plaintextTokensName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoCredential
	}
	if err != nil {
		return nil, err
	}
	root, err := parseYAMLText(text, nil)
	if err != nil {
		return nil, configInvalid(c.plaintextPath(), err)
	}
	if root.get("version").str() != "1" {
		return nil, errNoCredential
	}
	return root, nil
}

// plaintextRemove deletes tokens[host][email] from tokens.yml (an empty
// host map goes too) with a locked atomic rewrite; `version: 1` and
// `tokens: {}` stay so the official client still reads the file.
func (c *credentialChain) plaintextRemove(host, email string) error {
	if _, err := os.Lstat(c.plaintextPath()); err != nil {
		return nil
	}
	unlock, err := c.st.lock(c.st.dir, true)
	if err != nil {
		return err
	}
	defer unlock()
	root, err := c.readPlaintext()
	if errors.Is(err, errNoCredential) {
		return nil
	}
	if err != nil {
		return err
	}
	tokens := root.get("tokens")
	hostMap := tokens.get(host)
	if hostMap.get(email) == nil {
		return nil
	}
	hostMap.del(email)
	if len(hostMap.Keys) == 0 {
		tokens.del(host)
	}
	return writeFileAtomic(c.st.dir, plaintextTokensName, marshalYAML(root))
}
