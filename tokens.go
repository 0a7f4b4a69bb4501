package main

// tokens.go: everything about a token. The redacting type and redaction of
// output; the one token-shape check; the store chain behind a context:
// the OS credential store (keyring*.go), the sealed file (sealed.go), and
// the official client's plaintext tokens.yml, read in place and never
// moved (moving a token would sign the official client out); the
// name-clash rule of OS-store entries; the hints that ask to sign in again.
// Each context records where its token went (token_storage: keychain|sealed).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// tokenShape is what the bytes of a value say about it as a token. It is
// the one token-shape check; callers differ only in the shape they ask for.
type tokenShape int

const (
	shapeNone      tokenShape = iota // a space, a control or a non-ASCII byte: never a token
	shapePrintable                   // printable ASCII: a store or DIFY_TOKEN may hold it
	shapeBearer                      // the bearer alphabet only: what a server may mint
	shapeDify                        // "df", two lower-case letters, "_", then the alphabet
)

// shapeOf classifies s: the narrowest shape it has (a later shape is a
// subset of every earlier one but shapeNone).
func shapeOf(s string) tokenShape {
	alphabet := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c >= 0x7f:
			return shapeNone
		case !isTokenByte(c):
			alphabet = false
		}
	}
	switch n := tokenLikeLen(s); {
	case !alphabet:
		return shapePrintable
	case n > 0 && n == len(s):
		return shapeDify
	}
	return shapeBearer
}

// redactTokenLike hides anything shaped like a Dify token, whoever's it
// is: "df", two lower-case letters, "_", then one or more characters of
// the token alphabet (letters, digits, "_-.~+/="). A plain byte scan.
func redactTokenLike(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if n := tokenLikeLen(s[i:]); n > 0 {
			b.WriteString(s[last:i])
			b.WriteString("[redacted]")
			last = i + n
			i = last - 1
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// tokenLikeLen is the length of the Dify-token-shaped run at the start of
// s, or 0.
func tokenLikeLen(s string) int {
	if len(s) < 6 || s[0] != 'd' || s[1] != 'f' || !isLowerASCII(s[2]) || !isLowerASCII(s[3]) || s[4] != '_' {
		return 0
	}
	n := 5
	for n < len(s) && isTokenByte(s[n]) {
		n++
	}
	if n == 5 {
		return 0
	}
	return n
}

func isLowerASCII(c byte) bool { return c >= 'a' && c <= 'z' }

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-.~+/=", c) >= 0
}

// heldSecrets are the tokens this process has held (read from a store,
// granted by a server, sent as a bearer). Every printed string is cleaned
// of them, whatever its source: a server that echoes the bearer in an
// error message, a helper that repeats its stdin.
var heldSecrets struct {
	sync.Mutex
	list []string
	n    atomic.Int32 // len(list), read without the lock
}

// minHeldSecret is the shortest value treated as a secret to redact:
// shorter ones would blank out ordinary words.
const minHeldSecret = 8

// holdSecret registers a token so that no output ever shows it: the
// whole value and, for a Dify token (dfoa_…), its body without the prefix,
// which a server may echo alone.
func holdSecret(s string) {
	if len(s) < minHeldSecret {
		return
	}
	heldSecrets.Lock()
	defer heldSecrets.Unlock()
	add := func(v string) {
		for _, h := range heldSecrets.list {
			if h == v {
				return
			}
		}
		heldSecrets.list = append(heldSecrets.list, v)
	}
	add(s)
	if shapeOf(s) == shapeDify && len(s)-5 >= 2*minHeldSecret {
		add(s[5:])
	}
	heldSecrets.n.Store(int32(len(heldSecrets.list)))
}

// redactHeld replaces every held token in s with [redacted].
func redactHeld(s string) string {
	if heldSecrets.n.Load() == 0 {
		return s
	}
	heldSecrets.Lock()
	defer heldSecrets.Unlock()
	for _, h := range heldSecrets.list {
		if strings.Contains(s, h) {
			s = strings.ReplaceAll(s, h, "[redacted]")
		}
	}
	return s
}

// redactText is what an error or warning line goes through before it is
// printed: held tokens and anything shaped like a Dify token are hidden.
func redactText(s string) string { return redactTokenLike(redactHeld(s)) }

// loginCommandFor is the exact command that signs in to a stored host
// again: its scheme and path prefix when it has them, and --insecure when
// the context was signed in with it (an http host needs it). The host
// comes from hosts.yml, which anyone may have edited, and the command is
// there to be pasted: it is shell-quoted unless plainly safe.
func loginCommandFor(e *hostEntry) string { return signInCommand(endpointOf(e)) }

// signInCommand is the exact command that signs in to ep.
func signInCommand(ep endpoint) string {
	target := ep.Host
	if ep.Scheme != "https" || ep.Path != "" {
		target = ep.Scheme + "://" + ep.Host + ep.Path
	}
	cmd := "difyctl auth login --host " + shellQuote(target)
	if ep.Scheme == "http" || ep.Insecure {
		cmd += " --insecure"
	}
	return cmd
}

// reloginHint is the hint of every error that asks to sign in again.
func reloginHint(e *hostEntry) string { return signInAgain(loginCommandFor(e)) }

// storedToken returns the token of context c on host e of h, and where it
// was found (see find): a missing one is not_logged_in, and a sign-in hint
// names the exact login command for e.
func (a *app) storedToken(h *hostsFile, e *hostEntry, c *contextEntry) (token, string, error) {
	ts, err := a.tokenStore()
	if err != nil {
		return token{}, "", err
	}
	tok, where, err := ts.find(h, e, c)
	if errors.Is(err, errNoCredential) || err == nil && tok.isEmpty() {
		hint := reloginHint(e)
		var nc *noCredentialError
		if errors.As(err, &nc) {
			hint = nc.hint + "; or " + hint
		}
		return token{}, "", newError(codeNotLoggedIn, fmt.Sprintf("no credential stored for %s on %s", c.Email, e.Host), hint)
	}
	return tok, where, err // find gives no token and no place with an error
}

// recordFound records where find found the token of host+email on a
// context of h that records no store (the official client drops our
// keys), so the next read goes there first.
func recordFound(h *hostsFile, host, email, where string) {
	if c := h.host(host).account(email); c != nil && c.TokenStorage == "" {
		c.TokenStorage = where
	}
}

// revocable reports tokens the server can revoke: device-flow tokens only.
func revocable(t token) bool {
	s := t.reveal()
	return strings.HasPrefix(s, "dfoa_") || strings.HasPrefix(s, "dfoe_")
}

// checkGrantToken refuses a token no Dify server mints: empty, oversized,
// or with characters outside the bearer token alphabet. The token itself
// never appears in the error.
func checkGrantToken(t token) error {
	s := t.reveal()
	if s == "" {
		return newError(codeServerBadResponse, "the server approved the sign-in but sent no token", "run 'difyctl auth login' again")
	}
	if len(s) > maxTokenBytes {
		return newError(codeServerBadResponse, fmt.Sprintf("the server sent a %d-byte token; difyctl accepts at most %d bytes", len(s), maxTokenBytes), "check that the host is a Dify console API URL")
	}
	if shapeOf(s) < shapeBearer {
		return newError(codeServerBadResponse, "the server sent a token with characters outside the bearer token alphabet", "check that the host is a Dify console API URL")
	}
	return nil
}

// errNoCredential means no store holds a token for the context.
var errNoCredential = errors.New("no credential stored")

// noCredentialError is errNoCredential with a hint of its own.
type noCredentialError struct{ hint string }

func (e *noCredentialError) Error() string        { return errNoCredential.Error() }
func (e *noCredentialError) Is(target error) bool { return target == errNoCredential }

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
func newTokenStore(a *app) (*credentialChain, error) {
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
		return "", newError(codeUsageInvalidFlag, fmt.Sprintf("%s must be sealed or keychain, not %s", tokenStorageEnv, quoted(v)),
			"unset "+tokenStorageEnv+" to let difyctl choose")
	}
}

// credentialChain is the credential storage commands use: the OS store,
// the sealed file, then the official client's plaintext tokens.yml.
type credentialChain struct {
	a      *app
	st     *store
	os     osKeyring
	sealed *sealedStore
	force  string // "", storageSealed or storageKeychain
	// noticed and plainNoticed are set once the fallback notice and the
	// tokens.yml notice were printed (warnOnce).
	noticed, plainNoticed bool
}

// recordTokenStorage notes in hosts.yml where a context's token went: the
// context's own token_storage (keychain|sealed). The global key is the
// official client's: it looks for every one of its tokens where that key
// says, so changing it logs the official client out of all of them. An
// existing value is never changed; an absent one becomes keychain only
// when this token went to the OS store, and otherwise stays absent.
// Login calls it inside its storeTx.update, after saveIn.
func recordTokenStorage(h *hostsFile, host, email, storage string) {
	if ce := h.host(host).account(email); ce != nil {
		ce.TokenStorage = storage
	}
	if h.TokenStorage == "" && storage == storageKeychain {
		h.TokenStorage = "keychain"
	}
}

// saveIn stores t in the OS store (written and read back), else in the
// sealed file with one stderr line saying why, and deletes a stale copy
// from the other store. An OS-store entry name that another context also
// maps to is never written: the token is sealed instead. h is hosts.yml
// as read under tx, so that it holds every context; ep is the host signed
// in to.
func (c *credentialChain) saveIn(tx *storeTx, h *hostsFile, ep endpoint, email string, t token) (string, error) {
	host, login := ep.Host, signInCommand(ep)
	if host == "" || email == "" || t.isEmpty() {
		return "", newError(codeCredentialUnwritable, "cannot store a token without a host, an email and a value", "")
	}
	clash := c.clashOf(h, host, email)
	if clash != nil {
		if c.force == storageKeychain {
			return "", newError(codeCredentialUnwritable,
				fmt.Sprintf("the OS credential store entry %s is also the name of %s", keyringAccount(host, email), clash.names()),
				"unset "+tokenStorageEnv+" to let difyctl seal this token instead")
		}
		if err := c.sealed.putIn(tx, host, email, login, t); err != nil {
			return "", err
		}
		c.a.warn(fmt.Sprintf("the OS credential store entry %s is also the name of %s; token sealed in %s so neither context can read the other's",
			keyringAccount(host, email), clash.names(), c.sealed.path()))
		return storageSealed, nil
	}
	reason := ""
	if c.force != storageSealed {
		err := keyringPut(c.st.context(), c.os, host, email, t)
		if err == nil {
			c.dropStale(tx, storageSealed, host, email)
			return storageKeychain, nil
		}
		if errors.Is(err, errInterrupted) {
			return "", err
		}
		if c.force == storageKeychain {
			return "", keyringUnavailable(err)
		}
		// The notice shows why: an absent store's own reason, else the error.
		reason = err.Error()
		var ke *keyringError
		if errors.As(err, &ke) && ke.kind == keyringAbsent {
			reason = ke.reason
		}
		if keyringKind(err) == keyringRejected {
			c.dropStale(tx, storageKeychain, host, email)
		}
	}
	if err := c.sealed.putIn(tx, host, email, login, t); err != nil {
		return "", err
	}
	if reason != "" {
		c.warnOnce(&c.noticed, fmt.Sprintf("OS credential store unavailable (%s); token sealed in %s", reason, c.sealed.path()))
	} else {
		c.dropStale(tx, storageKeychain, host, email)
	}
	return storageSealed, nil
}

// unsave undoes saveIn for host+email: the token it stored in storage is
// removed. (A token it replaced is not put back: the server ended that
// session when it granted the new one to the same device.)
func (c *credentialChain) unsave(tx *storeTx, host, email, storage string) error {
	switch storage {
	case storageKeychain:
		if err := keyringDelete(c.st.context(), c.os, host, email); err != nil && !errors.Is(err, errKeyringNotFound) {
			return err
		}
	case storageSealed:
		return c.sealed.removeIn(tx, host, email)
	}
	return nil
}

// osNameClash lists the other contexts whose OS-store entry name
// (tokens.<host>.<email>) equals a context's.
type osNameClash struct {
	others []string // "email on host"
	// othersInOS is set when one of them may keep its token there: it
	// records keychain, or nothing (the official client drops our
	// token_storage as it saves) and tokens.sealed holds no token of it.
	othersInOS bool
}

func (cl *osNameClash) names() string { return strings.Join(cl.others, ", ") }

// clashOf finds the contexts in h, other than host+email, that map to
// the same OS-store entry; nil when none does.
func (c *credentialChain) clashOf(h *hostsFile, host, email string) *osNameClash {
	name := keyringAccount(host, email)
	var cl *osNameClash
	for _, e := range h.Hosts {
		if !strings.HasPrefix(name, "tokens."+e.Host+".") {
			continue
		}
		for _, x := range e.Accounts {
			if (e.Host == host && x.Email == email) || keyringAccount(e.Host, x.Email) != name {
				continue
			}
			if cl == nil {
				cl = &osNameClash{}
			}
			cl.others = append(cl.others, x.Email+" on "+e.Host)
			if x.TokenStorage != storageSealed && (x.TokenStorage != "" || !c.sealed.holds(e.Host, x.Email)) {
				cl.othersInOS = true
			}
		}
	}
	return cl
}

// osEntryIsMine reports whether the context may read or delete its OS
// store entry: no other context shares the name, or this one is the only
// one that may keep its token there.
func osEntryIsMine(cl *osNameClash, ce *contextEntry) bool {
	return cl == nil || (ce.TokenStorage != storageSealed && !cl.othersInOS)
}

// warnOnce prints msg unless *done, and sets it: each notice is printed
// once per process.
func (c *credentialChain) warnOnce(done *bool, msg string) {
	if !*done {
		*done = true
		c.a.warn(msg)
	}
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
func (c *credentialChain) dropStale(tx *storeTx, where, host, email string) {
	switch where {
	case storageSealed:
		c.sealed.removeIn(tx, host, email)
	case storageKeychain:
		if c.os.usable() == nil {
			keyringDelete(c.st.context(), c.os, host, email)
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

// checkSecure is the store's owner and permission check (store.checkSecure)
// over the config dir and this chain's key file, when one resolves.
// notDone ends the refusal, saying what was not done.
func (c *credentialChain) checkSecure(notDone string) error {
	keyFile := ""
	if c.sealed.keyDirErr == nil && c.sealed.keyDir != "" {
		keyFile = c.sealed.keyPath()
	}
	return c.st.checkSecure(keyFile, notDone)
}

// find returns the context's token. When nothing holds it, a store that
// could not be read is reported rather than errNoCredential, so a locked
// keychain never looks like "signed out". An OS-store entry whose name
// another context shares in h (hosts.yml as the command loaded it), and
// may use, is not trusted. Its hints name the exact login command for host
// e. It says where it found the token: keychain or sealed, or "" for the
// official client's tokens.yml.
func (c *credentialChain) find(h *hostsFile, e *hostEntry, ce *contextEntry) (token, string, error) {
	host, login := e.Host, loginCommandFor(e)
	if err := c.checkSecure("no token was read"); err != nil {
		return token{}, "", err
	}
	email := ce.Email
	clash := c.clashOf(h, host, email)
	order := c.readOrder(ce.TokenStorage)
	if !osEntryIsMine(clash, ce) {
		// Sealed because of the clash, though the official client may
		// have dropped the record of it: tokens.sealed says so too.
		if ce.TokenStorage != storageSealed && (ce.TokenStorage != "" || !c.sealed.holds(host, email)) {
			return token{}, "", newError(codeCredentialUnreadable,
				fmt.Sprintf("the OS credential store entry %s is the name of both %s on %s and %s; the token there may be the other context's, so it is not used",
					keyringAccount(host, email), email, host, clash.names()),
				"sign in again to "+email+" on "+host+" with "+inQuotes(login)+" (the new token is sealed), or log out of "+clash.names())
		}
		order = []string{storageSealed}
	}
	var osErr, sealedErr error
	for _, where := range order {
		var t token
		var err error
		if where == storageKeychain {
			t, err = keyringGet(c.st.context(), c.os, host, email)
		} else {
			t, err = c.sealed.get(host, email, login)
		}
		switch {
		case err == nil:
			return t, where, nil
		case errors.Is(err, errInterrupted):
			return token{}, "", err
		case errors.Is(err, errKeyringNotFound), errors.Is(err, errNoCredential):
		case where == storageKeychain:
			osErr = err
		default:
			sealedErr = err
		}
	}
	t, plainErr := c.plaintextGet(host, email)
	if plainErr == nil {
		c.warnOnce(&c.plainNoticed, fmt.Sprintf("the token for %s on %s is stored in plain text in %s by the official difyctl; %s would keep a new one in the OS credential store or the sealed file",
			email, host, c.plaintextPath(), inQuotes(login)))
		return t, "", nil
	}
	if errors.Is(plainErr, errNoCredential) {
		plainErr = nil
	}
	var ke *keyringError
	switch {
	case ce.TokenStorage != storageSealed && sealedErr == nil && plainErr == nil && errors.As(osErr, &ke) && ke.install != "":
		// The OS store's helper is missing, but the official client keeps
		// it in the keyring, which a live bus says is running: not found
		// here, but say how to reach it.
		return token{}, "", &noCredentialError{hint: ke.hint}
	case ce.TokenStorage == storageKeychain && osErr != nil:
		return token{}, "", keyringUnavailable(osErr)
	case ce.TokenStorage == storageSealed && sealedErr != nil:
		return token{}, "", sealedErr
	case osErr != nil && keyringKind(osErr) != keyringAbsent:
		return token{}, "", keyringUnavailable(osErr)
	case sealedErr != nil:
		return token{}, "", sealedErr
	case plainErr != nil:
		return token{}, "", plainErr
	}
	return token{}, "", errNoCredential
}

// forgetEach deletes the context's token from the OS store, the sealed
// file and the plaintext file, trying every one whatever the others do.
// It returns one error per place the token may still be in: the message
// says what was left where and why, the hint how to remove it by hand.
// Absent items are fine. An OS store that is absent here only counts when
// the context's token is there: recorded so by us, or by the official
// client's global token_storage: keychain (then a token found in its
// tokens.yml or in tokens.sealed says otherwise). A tokens.yml that cannot be
// read only counts for a context whose token is not recorded in a store
// of ours (the official client's): otherwise it is a warning.
// h is hosts.yml as the command loaded it, for the name-clash rule; it is
// not stale for that: while this context is in hosts.yml, a sign-in of
// a clashing name seals its token rather than use the shared entry.
// tx, when not nil, is the OS lock the caller holds.
func (c *credentialChain) forgetEach(tx *storeTx, h *hostsFile, host string, ce *contextEntry) []*cliError {
	email := ce.Email
	what := "the token of " + email + " on " + host
	var errs []*cliError
	path := c.plaintextPath()
	_, plainErr := c.plaintextGet(host, email)
	// A context the official client signed in carries no token_storage of
	// ours; under its global token_storage: keychain, the token is in the
	// OS store unless its tokens.yml holds it (or, for a context of ours
	// whose key the official client dropped as it saved, tokens.sealed).
	inOS := ce.TokenStorage == storageKeychain ||
		ce.TokenStorage == "" && h.TokenStorage == storageKeychain && plainErr != nil && !c.sealed.holds(host, email)
	if osEntryIsMine(c.clashOf(h, host, email), ce) {
		err := keyringDelete(c.st.context(), c.os, host, email)
		switch {
		case err == nil, errors.Is(err, errKeyringNotFound):
		case keyringKind(err) == keyringAbsent && !inOS:
		default:
			why := keyringUnavailable(err)
			name := keyringAccount(host, email)
			hint := "remove it by hand: " + keyringRemoveCommand(name)
			if ke, ok := errors.AsType[*keyringError](err); ok && ke.install != "" {
				hint = ke.install + ", then " + hint
			}
			errs = append(errs, newError(why.Code,
				fmt.Sprintf("%s may still be in the OS credential store, entry %s (%s)", what, name, why.Message), hint))
		}
	}
	if err := c.sealed.removeIn(tx, host, email); err != nil {
		why := asCLIError(err)
		path := c.sealed.path()
		errs = append(errs, newError(why.Code,
			fmt.Sprintf("%s may still be in %s, sealed (%s)", what, path, why.Message),
			"remove it by hand: "+shellQuote("rm", path)+" (this also removes every other token sealed there)"))
	}
	err := plainErr
	if err == nil {
		err = c.plaintextRemove(tx, host, email)
	} else if !errors.Is(err, errNoCredential) && ce.TokenStorage != "" {
		c.a.warn(fmt.Sprintf("could not check %s for a copy of %s (%s)", path, what, asCLIError(err).Message))
		err = nil
	}
	if err != nil && !errors.Is(err, errNoCredential) {
		why := asCLIError(err)
		target := path
		if t, lerr := filepath.EvalSymlinks(path); lerr == nil {
			target = t
		}
		errs = append(errs, newError(why.Code,
			fmt.Sprintf("%s may still be in %s, in plain text (%s)", what, path, why.Message),
			fmt.Sprintf("remove it by hand: open %s in an editor (%s) and delete the line of %s under %s in tokens",
				target, shellQuote("vi", target), strconv.Quote(email), strconv.Quote(host))))
	}
	return errs
}

// inQuotes puts a command into a hint's text between quotes, as hints
// do, unless shellQuote quoted a word of it: outer quotes would then
// unquote that word for whoever pastes them along.
func inQuotes(cmd string) string {
	if strings.Contains(cmd, "'") {
		return cmd
	}
	return "'" + cmd + "'"
}

// shellQuote joins args into a POSIX shell command line, single-quoting
// every word that is not plainly safe.
func shellQuote(args ...string) string {
	words := make([]string, len(args))
	for i, a := range args {
		safe := a != ""
		for _, r := range a {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
				safe = false
				break
			}
		}
		if safe {
			words[i] = a
		} else {
			words[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(words, " ")
}

// ---------------------------------------------------------------------------
// The official client's plaintext tokens.yml

func (c *credentialChain) plaintextPath() string { return filepath.Join(c.st.dir, plaintextTokensName) }

// plaintextGet reads tokens[host][email] from tokens.yml, without a lock
// (writes are atomic renames). A file that is missing, not version 1 (as
// the official client reads it) or without that entry gives
// errNoCredential.
func (c *credentialChain) plaintextGet(host, email string) (token, error) {
	if _, err := os.Lstat(c.plaintextPath()); err != nil {
		return token{}, errNoCredential
	}
	root, err := c.readPlaintext()
	if err != nil {
		return token{}, err
	}
	v := root.get("tokens").get(host).get(email)
	if v == nil || v.Kind != yamlScalar || v.str() == "" {
		return token{}, errNoCredential
	}
	return newToken(v.str()), nil
}

// readPlaintext parses tokens.yml; errNoCredential when it is missing or
// not version 1.
func (c *credentialChain) readPlaintext() (*yamlNode, error) {
	text, err := c.st.readText(plaintextTokensName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoCredential
	}
	if err != nil {
		return nil, err
	}
	root, err := parseYAMLText(text)
	if err != nil {
		return nil, configInvalid(c.plaintextPath(), err)
	}
	if root.get("version").str() != "1" {
		return nil, errNoCredential
	}
	return root, nil
}

// plaintextRemove deletes tokens[host][email] from tokens.yml (an empty
// host map goes too) with an atomic rewrite under our OS lock and the
// official client's tokens.yml.lock; `version: 1`, `tokens: {}` and every
// other entry stay, so the official client still reads the file.
// forgetEach calls it only once plaintextGet found the token, so the
// locks are not taken for nothing.
func (c *credentialChain) plaintextRemove(tx *storeTx, host, email string) error {
	if tx == nil {
		var err error
		if tx, err = c.st.exclusive(); err != nil {
			return err
		}
		defer tx.release()
	}
	unlock, err := tx.fileLock(plaintextTokensName)
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
