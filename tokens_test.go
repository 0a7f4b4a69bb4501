package main

// tokens_test.go: the store chain (choosing, recording, read order,
// forced stores, forget) against an in-memory OS store, and the migration
// of the official client's plaintext tokens.yml.

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// credEnv is one user's machine for in-process tests: temp config, data
// and home dirs and an environment that holds nothing from the real one.
type credEnv struct {
	a      *app
	env    map[string]string
	stderr *bytes.Buffer
	config string
	data   string
	home   string
}

func newCredEnv(t testing.TB) *credEnv {
	t.Helper()
	root := t.TempDir()
	e := &credEnv{
		config: filepath.Join(root, "config"),
		data:   filepath.Join(root, "data"),
		home:   filepath.Join(root, "home"),
		stderr: &bytes.Buffer{},
	}
	emptyBin := filepath.Join(root, "bin")
	for _, d := range []string{e.home, emptyBin} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.env = map[string]string{
		"DIFY_CONFIG_DIR": e.config,
		"DIFY_DATA_DIR":   e.data,
		"HOME":            e.home,
		"PATH":            emptyBin, // no secret-tool unless a test adds one
	}
	e.a = &app{
		ctx:    context.Background(),
		getenv: func(k string) string { return e.env[k] },
		stdout: &bytes.Buffer{},
		stderr: e.stderr,
		now:    time.Now,
	}
	return e
}

// chain builds the store chain around k with the env's override.
func (e *credEnv) chain(t testing.TB, k osKeyring) *credentialChain {
	t.Helper()
	st, err := e.a.store()
	if err != nil {
		t.Fatal(err)
	}
	force, err := storageOverride(e.a.getenv)
	if err != nil {
		t.Fatal(err)
	}
	return newCredentialChain(e.a, st, k, force)
}

// memKeyring is an OS store in memory, with switches for failure modes.
type memKeyring struct {
	items map[string][]byte
	// absent makes usable fail (no bus, no helper).
	absent bool
	// fail makes every call fail with a store error of this kind.
	fail    bool
	failKnd keyringErrKind
	// truncate keeps only the first 5 bytes of written values.
	truncate bool
	writes   int
	reads    int
	deletes  int
}

func newMemKeyring() *memKeyring { return &memKeyring{items: map[string][]byte{}} }

func (m *memKeyring) name() string { return "memory keyring" }

func (m *memKeyring) usable() error {
	if m.absent {
		return &keyringError{store: m.name(), kind: keyringAbsent, reason: "no memory today"}
	}
	return nil
}

func (m *memKeyring) failure(op string) error {
	return &keyringError{store: m.name(), op: op, kind: m.failKnd, reason: "the collection is locked"}
}

func (m *memKeyring) read(ctx context.Context, account string) ([]byte, error) {
	m.reads++
	if m.fail {
		return nil, m.failure("read")
	}
	v, ok := m.items[account]
	if !ok {
		return nil, errKeyringNotFound
	}
	return v, nil
}

func (m *memKeyring) write(ctx context.Context, account, label string, value []byte) error {
	m.writes++
	if m.fail {
		return m.failure("write")
	}
	if m.truncate && len(value) > 5 {
		value = value[:5]
	}
	m.items[account] = append([]byte(nil), value...)
	return nil
}

func (m *memKeyring) remove(ctx context.Context, account string) error {
	m.deletes++
	if m.fail {
		return m.failure("delete")
	}
	if _, ok := m.items[account]; !ok {
		return errKeyringNotFound
	}
	delete(m.items, account)
	return nil
}

func ctxEntry(email, storage string) *contextEntry {
	return &contextEntry{Email: email, TokenStorage: storage}
}

func wantCode(t testing.TB, err error, code string) *cliError {
	t.Helper()
	var ce *cliError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a cliError with code %s", err, err, code)
	}
	if ce.Code != code {
		t.Fatalf("error code %s (%v), want %s", ce.Code, ce, code)
	}
	return ce
}

// noTokenUnder fails if any file under dir holds one of the secrets.
func noTokenUnder(t testing.TB, dir string, secrets ...string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the token %q in plaintext:\n%s", p, s, b)
			}
		}
		return nil
	})
}

const testToken = "dfoa_Zm9vYmFyYmF6cXV4c2VjcmV0dG9rZW4"

func TestSaveUsesOSStoreWithReadBack(t *testing.T) {
	e := newCredEnv(t)
	k := newMemKeyring()
	c := e.chain(t, k)
	storage, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "cloud.dify.ai"}, "tester@dify.ai", newToken(testToken))
	if err != nil || storage != storageKeychain {
		t.Fatalf("save = %q, %v; want keychain", storage, err)
	}
	got := string(k.items["tokens.cloud.dify.ai.tester@dify.ai"])
	if got != `"`+testToken+`"` {
		t.Errorf("stored value %q, want the JSON-encoded token", got)
	}
	if k.reads != 1 {
		t.Errorf("%d reads after the write, want 1 read-back", k.reads)
	}
	if e.stderr.Len() != 0 {
		t.Errorf("stderr %q, want nothing", e.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("tokens.sealed exists after a keychain save: %v", err)
	}
	tok, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "cloud.dify.ai"}, ctxEntry("tester@dify.ai", storageKeychain))
	if err != nil || tok.reveal() != testToken {
		t.Fatalf("find = %v, %v", tok, err)
	}
}

func TestSaveFallsBackToSealedWithOneNotice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		k      *memKeyring
		reason string
	}{
		{"absent", &memKeyring{items: map[string][]byte{}, absent: true}, "(no memory today)"},
		{"locked", &memKeyring{items: map[string][]byte{}, fail: true, failKnd: keyringLocked}, "the collection is locked"},
		{"timeout", &memKeyring{items: map[string][]byte{}, fail: true, failKnd: keyringTimeout}, "the collection is locked"},
		{"read-back differs", &memKeyring{items: map[string][]byte{}, truncate: true}, "the value read back differs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCredEnv(t)
			c := e.chain(t, tc.k)
			storage, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "cloud.dify.ai"}, "a@x", newToken(testToken))
			if err != nil || storage != storageSealed {
				t.Fatalf("save = %q, %v; want sealed", storage, err)
			}
			if _, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "cloud.dify.ai"}, "b@x", newToken(testToken+"2")); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(e.stderr.String(), "\n"), "\n")
			want := "token sealed in " + filepath.Join(e.config, sealedFileName)
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "! OS credential store unavailable (") ||
				!strings.HasSuffix(lines[0], "); "+want) || !strings.Contains(lines[0], tc.reason) {
				t.Errorf("stderr %q, want one notice with %q ending in %q", e.stderr, tc.reason, want)
			}
			if len(tc.k.items) != 0 {
				t.Errorf("a bad copy stayed in the OS store: %q", tc.k.items)
			}
			for email, want := range map[string]string{"a@x": testToken, "b@x": testToken + "2"} {
				tok, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "cloud.dify.ai"}, ctxEntry(email, storageSealed))
				if err != nil || tok.reveal() != want {
					t.Errorf("find %s = %v, %v", email, tok, err)
				}
			}
			noTokenUnder(t, e.config, testToken)
		})
	}
}

func TestForcedSealedSkipsOSStore(t *testing.T) {
	e := newCredEnv(t)
	e.env[tokenStorageEnv] = "sealed"
	k := newMemKeyring()
	k.items["tokens.h.e@x"] = []byte(`"dfoa_stale"`)
	c := e.chain(t, k)
	storage, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v", storage, err)
	}
	if k.writes != 0 {
		t.Errorf("%d OS-store writes with DIFY_TOKEN_STORAGE=sealed", k.writes)
	}
	if _, ok := k.items["tokens.h.e@x"]; ok {
		t.Error("the stale OS-store copy was not deleted")
	}
	if e.stderr.Len() != 0 {
		t.Errorf("stderr %q: a forced store needs no notice", e.stderr)
	}
	// Unknown storage reads the sealed file first when it is forced.
	k.fail = true
	tok, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("e@x", ""))
	if err != nil || tok.reveal() != testToken {
		t.Fatalf("find = %v, %v", tok, err)
	}
	if k.reads != 0 {
		t.Errorf("%d OS-store reads before the sealed file", k.reads)
	}
}

func TestForcedKeychainFailsInsteadOfFallingBack(t *testing.T) {
	e := newCredEnv(t)
	e.env[tokenStorageEnv] = "keychain"
	c := e.chain(t, &memKeyring{items: map[string][]byte{}, absent: true})
	_, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "e@x", newToken(testToken))
	ce := wantCode(t, err, "keyring_unavailable")
	if exitCodeFor(err) != 1 || ce.Hint == "" {
		t.Errorf("exit %d hint %q", exitCodeFor(err), ce.Hint)
	}
	if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Error("tokens.sealed written although the keychain was forced")
	}
}

func TestBadStorageOverride(t *testing.T) {
	e := newCredEnv(t)
	e.env[tokenStorageEnv] = "plaintext"
	_, err := newTokenStore(e.a)
	wantCode(t, err, "usage_invalid_flag")
	e.env[tokenStorageEnv] = " Sealed "
	if _, err := newTokenStore(e.a); err != nil {
		t.Errorf("DIFY_TOKEN_STORAGE=' Sealed ': %v", err)
	}
}

func TestSaveDropsStaleCopyInOtherStore(t *testing.T) {
	e := newCredEnv(t)
	k := newMemKeyring()
	c := e.chain(t, k)
	c.force = storageSealed
	if _, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "e@x", newToken("dfoa_old")); err != nil {
		t.Fatal(err)
	}
	c.force = ""
	if s, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "e@x", newToken("dfoa_new")); err != nil || s != storageKeychain {
		t.Fatalf("save = %q, %v", s, err)
	}
	if _, err := c.sealed.get("h", "e@x", hostLogin("h")); !errors.Is(err, errNoCredential) {
		t.Errorf("the stale sealed copy is still there: %v", err)
	}
}

func TestFindReadOrder(t *testing.T) {
	e := newCredEnv(t)
	k := newMemKeyring()
	c := e.chain(t, k)
	// Recorded sealed, but the token is only in the OS store: found there.
	k.items[keyringAccount("h", "a@x")] = []byte(`"dfoa_fromos"`)
	tok, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("a@x", storageSealed))
	if err != nil || tok.reveal() != "dfoa_fromos" {
		t.Fatalf("find = %v, %v", tok, err)
	}
	// A raw (not JSON) value written by another tool reads too.
	k.items[keyringAccount("h", "raw@x")] = []byte("dfoa_raw\n")
	if tok, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("raw@x", "")); err != nil || tok.reveal() != "dfoa_raw" {
		t.Fatalf("find raw = %v, %v", tok, err)
	}
	// Recorded keychain, the keychain locked, the sealed file has it.
	c.force = storageSealed
	c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "b@x", newToken("dfoa_sealed"))
	c.force = ""
	k.fail, k.failKnd = true, keyringLocked
	tok, _, err = c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("b@x", storageKeychain))
	if err != nil || tok.reveal() != "dfoa_sealed" {
		t.Fatalf("find = %v, %v", tok, err)
	}
	// Recorded keychain, locked, nothing elsewhere: keyring_unavailable,
	// never "no credential".
	_, _, err = c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("c@x", storageKeychain))
	wantCode(t, err, "keyring_unavailable")
	// Unknown storage, locked: still reported.
	_, _, err = c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("c@x", ""))
	wantCode(t, err, "keyring_unavailable")
	// Recorded keychain but no store on this machine: reported.
	k.fail, k.absent = false, true
	_, _, err = c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("c@x", storageKeychain))
	wantCode(t, err, "keyring_unavailable")
	// Unknown storage and no store here (headless CI): no credential.
	if _, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("c@x", "")); !errors.Is(err, errNoCredential) {
		t.Fatalf("find = %v, want errNoCredential", err)
	}
	if _, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("c@x", storageSealed)); !errors.Is(err, errNoCredential) {
		t.Fatalf("find = %v, want errNoCredential", err)
	}
}

func TestFindReportsUnreadableSealedFile(t *testing.T) {
	e := newCredEnv(t)
	c := e.chain(t, &memKeyring{items: map[string][]byte{}, absent: true})
	c.force = storageSealed
	if _, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "e@x", newToken(testToken)); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(e.data) // the key secret is gone
	c2 := e.chain(t, &memKeyring{items: map[string][]byte{}, absent: true})
	_, _, err := c2.find(hostsNow(t, c2), &hostEntry{Host: "h"}, ctxEntry("e@x", storageSealed))
	ce := wantCode(t, err, "credential_unreadable")
	if !strings.Contains(ce.Message, filepath.Join(e.config, sealedFileName)) ||
		ce.Hint != "run 'difyctl auth login --host h' to sign in again" {
		t.Errorf("error %q hint %q", ce.Message, ce.Hint)
	}
}

func TestForgetDeletesEverywhere(t *testing.T) {
	e := newCredEnv(t)
	k := newMemKeyring()
	c := e.chain(t, k)
	k.items[keyringAccount("cloud.dify.ai", "tester@dify.ai")] = []byte(`"dfoa_os"`)
	c.force = storageSealed
	c.saveIn(nil, hostsNow(t, c), endpoint{Host: "cloud.dify.ai"}, "tester@dify.ai", newToken("dfoa_sealed"))
	c.saveIn(nil, hostsNow(t, c), endpoint{Host: "cloud.dify.ai"}, "other@dify.ai", newToken("dfoa_other"))
	c.force = ""
	k.items[keyringAccount("cloud.dify.ai", "tester@dify.ai")] = []byte(`"dfoa_os"`)
	copyOfficial(t, e, []string{"tokens.yml"})
	ce := ctxEntry("tester@dify.ai", storageSealed)
	if err := c.forget(hostsNow(t, c), "cloud.dify.ai", ce); err != nil {
		t.Fatal(err)
	}
	if len(k.items) != 0 {
		t.Errorf("OS store still holds %q", k.items)
	}
	if _, err := c.sealed.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai")); !errors.Is(err, errNoCredential) {
		t.Errorf("sealed still holds it: %v", err)
	}
	if tok, err := c.sealed.get("cloud.dify.ai", "other@dify.ai", hostLogin("cloud.dify.ai")); err != nil || tok.reveal() != "dfoa_other" {
		t.Errorf("the other context was lost: %v", err)
	}
	plain, _ := os.ReadFile(filepath.Join(e.config, plaintextTokensName))
	if bytes.Contains(plain, []byte("dfoa_officialPlaintextTester1")) || !bytes.Contains(plain, []byte("dfoe_officialPlaintextSSO2")) {
		t.Errorf("tokens.yml after forget:\n%s", plain)
	}
	// Nothing left anywhere: still fine.
	if err := c.forget(hostsNow(t, c), "cloud.dify.ai", ce); err != nil {
		t.Fatal(err)
	}
	// A failing OS store is reported, naming the store.
	k.fail, k.failKnd = true, keyringLocked
	err := c.forget(hostsNow(t, c), "cloud.dify.ai", ce)
	got := wantCode(t, err, "keyring_unavailable")
	if !strings.Contains(got.Message, "memory keyring") {
		t.Errorf("message %q does not name the store", got.Message)
	}
	// No OS store here: fine unless the token was recorded there.
	k.fail, k.absent = false, true
	if err := c.forget(hostsNow(t, c), "cloud.dify.ai", ce); err != nil {
		t.Errorf("forget with no OS store: %v", err)
	}
	wantCode(t, c.forget(hostsNow(t, c), "cloud.dify.ai", ctxEntry("tester@dify.ai", storageKeychain)), "keyring_unavailable")
}

// copyOfficial puts the official client's files into the config dir,
// optionally with its host names replaced (old, new, …).
func copyOfficial(t testing.TB, e *credEnv, names []string, rename ...string) {
	t.Helper()
	if err := os.MkdirAll(e.config, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "official", n))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.NewReplacer(rename...).Replace(string(b)))
		if err := os.WriteFile(filepath.Join(e.config, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

var officialFiles = []string{"hosts.yml", "tokens.yml"}

// officialTokens are the tokens of testdata/official/tokens.yml by
// host+email, for the fixture's hosts or replacements.
func officialTokens(hostA, hostB string) map[[2]string]string {
	return map[[2]string]string{
		{hostA, "tester@dify.ai"}: "dfoa_officialPlaintextTester1",
		{hostB, "sso@dify.ai"}:    "dfoe_officialPlaintextSSO2",
	}
}

// readInPlace reads every token of the official client's files (with
// their two hosts renamed to hostA and hostB) where they are: each is
// found, tokens.yml and hosts.yml stay byte for byte, no token is copied
// into a store of ours, and one notice per command says why.
func readInPlace(t *testing.T, e *credEnv, c *credentialChain, hostA, hostB string) {
	t.Helper()
	copyOfficial(t, e, officialFiles, "cloud.dify.ai", hostA, "127.0.0.1:5001", hostB)
	officialTokens := officialTokens(hostA, hostB)
	st, _ := e.a.store()
	h, err := st.load()
	if err != nil {
		t.Fatal(err)
	}
	plainBefore, _ := os.ReadFile(filepath.Join(e.config, plaintextTokensName))
	hostsBefore, _ := os.ReadFile(st.hostsPath())
	for key, want := range officialTokens {
		ce := h.host(key[0]).account(key[1])
		tok, _, err := c.find(hostsNow(t, c), &hostEntry{Host: key[0]}, ce)
		if err != nil || tok.reveal() != want {
			t.Fatalf("find %v = %v, %v", key, tok, err)
		}
		if ce.TokenStorage != "" {
			t.Errorf("context %v now records %q; a tokens.yml token must never be recorded", key, ce.TokenStorage)
		}
	}
	notices := strings.Count(e.stderr.String(), "is stored in plain text in ")
	if notices != 1 || strings.Contains(e.stderr.String(), "dfo") {
		t.Errorf("stderr:\n%s\nwant one notice and no token", e.stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(e.config, plaintextTokensName)); !bytes.Equal(after, plainBefore) {
		t.Errorf("tokens.yml changed:\n%s", after)
	}
	if after, _ := os.ReadFile(st.hostsPath()); !bytes.Equal(after, hostsBefore) {
		t.Errorf("hosts.yml changed:\n%s", after)
	}
	if _, err := os.Stat(c.sealed.path()); !os.IsNotExist(err) {
		t.Errorf("a token was copied into %s: %v", c.sealed.path(), err)
	}
	for key := range officialTokens {
		if _, err := keyringGet(context.Background(), c.os, key[0], key[1]); c.os.usable() == nil && !errors.Is(err, errKeyringNotFound) {
			t.Errorf("the OS store holds %v: %v", key, err)
		}
	}
	// The next command reads them again, again with one notice.
	e.stderr.Reset()
	c2 := e.chain(t, c.os)
	for key, want := range officialTokens {
		tok, _, err := c2.find(hostsNow(t, c2), &hostEntry{Host: key[0]}, h.host(key[0]).account(key[1]))
		if err != nil || tok.reveal() != want {
			t.Fatalf("second find %v = %v, %v", key, tok, err)
		}
	}
	if strings.Count(e.stderr.String(), "is stored in plain text in ") != 1 {
		t.Errorf("second command printed %q", e.stderr)
	}
}

func TestOfficialPlaintextReadInPlaceWithoutOSStore(t *testing.T) {
	e := newCredEnv(t)
	readInPlace(t, e, e.chain(t, &memKeyring{items: map[string][]byte{}, absent: true}), "cloud.dify.ai", "127.0.0.1:5001")
}

func TestOfficialPlaintextReadInPlaceWithOSStore(t *testing.T) {
	e := newCredEnv(t)
	k := newMemKeyring()
	readInPlace(t, e, e.chain(t, k), "cloud.dify.ai", "127.0.0.1:5001")
	if len(k.items) != 0 {
		t.Errorf("OS store holds %q", k.items)
	}
}

func TestOfficialPlaintextReadInPlaceWithKeychainForced(t *testing.T) {
	e := newCredEnv(t)
	e.env[tokenStorageEnv] = "keychain"
	readInPlace(t, e, e.chain(t, &memKeyring{items: map[string][]byte{}, absent: true}), "cloud.dify.ai", "127.0.0.1:5001")
}

func TestPlaintextOtherVersionsAreIgnored(t *testing.T) {
	e := newCredEnv(t)
	c := e.chain(t, &memKeyring{items: map[string][]byte{}, absent: true})
	os.MkdirAll(e.config, 0o700)
	// Older official layouts (a flat host → email → token map) are not the
	// file the current official client writes, so they are not read.
	os.WriteFile(filepath.Join(e.config, plaintextTokensName), []byte("hosts:\n  h:\n    e@x: dfoa_eraA\n"), 0o600)
	if _, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("e@x", "")); !errors.Is(err, errNoCredential) {
		t.Fatalf("find = %v", err)
	}
	os.WriteFile(filepath.Join(e.config, plaintextTokensName), []byte("version: 2\ntokens:\n  h:\n    e@x: dfoa_v2\n"), 0o600)
	if _, _, err := c.find(hostsNow(t, c), &hostEntry{Host: "h"}, ctxEntry("e@x", "")); !errors.Is(err, errNoCredential) {
		t.Fatalf("find = %v", err)
	}
}

func TestRecordTokenStorage(t *testing.T) {
	for _, c := range []struct{ global, storage, want string }{
		{"", storageSealed, ""},
		{"", storageKeychain, "keychain"},
		{"keychain", storageSealed, "keychain"},
		{"file", storageKeychain, "file"},
		{"file", storageSealed, "file"},
	} {
		h := &hostsFile{TokenStorage: c.global}
		h.upsert("h", &contextEntry{Email: "e@x"})
		recordTokenStorage(h, "h", "e@x", c.storage)
		if h.host("h").account("e@x").TokenStorage != c.storage || h.TokenStorage != c.want {
			t.Errorf("global %q, stored %s: context %q, global %q (want %q)", c.global, c.storage,
				h.host("h").account("e@x").TokenStorage, h.TokenStorage, c.want)
		}
	}
}

// The one token-shape check gives each caller the set it had: printable
// ASCII for stores and DIFY_TOKEN, the bearer alphabet for a server's
// grant, the Dify shape for redaction.
func TestTokenShape(t *testing.T) {
	for _, c := range []struct {
		s    string
		want tokenShape
	}{
		{"dfoa_abcDEF123-._~+/=", shapeDify},
		{"dfoe_x", shapeDify},
		{"dfoa_", shapeBearer},
		{"Dfoa_abc", shapeBearer},
		{"app-abc123", shapeBearer},
		{"", shapeBearer},
		{"dfoa_abc!", shapePrintable},
		{"a\"b", shapePrintable},
		{"dfoa_a b", shapeNone},
		{"dfoa_a\x7f", shapeNone},
		{"dfoa_é", shapeNone},
		{"\t", shapeNone},
	} {
		if got := shapeOf(c.s); got != c.want {
			t.Errorf("shapeOf(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}

// hostsNow is hosts.yml as a command would have loaded it before find.
func hostsNow(t testing.TB, c *credentialChain) *hostsFile {
	t.Helper()
	h, err := c.st.load()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// forget deletes the context's token from the OS store, the sealed file
// and the plaintext file. Absent items are fine; any other failure is
// returned (one error for all, as forgetEach gives them).
func (c *credentialChain) forget(h *hostsFile, host string, ce *contextEntry) error {
	errs := c.forgetEach(nil, h, host, ce)
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
