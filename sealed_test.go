package main

// sealed_test.go: tokens.sealed. Round trip and modes; a copy of the
// config dir next to another data dir opens nothing; every single-byte
// flip and every truncation is a clear error (never a panic, never a wrong
// token, never "no credential"), and the lines that survived are kept by a
// later write; a box moved to another context fails; the reader is fuzzed
// and the read and write benchmarked.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func newSealedTestStore(t testing.TB) *sealedStore {
	t.Helper()
	root := t.TempDir()
	return &sealedStore{dir: filepath.Join(root, "config"), keyDir: filepath.Join(root, "data")}
}

// reopen is the same files seen by a new process (no cached key).
func (s *sealedStore) reopen() *sealedStore {
	return &sealedStore{dir: s.dir, keyDir: s.keyDir, keyDirErr: s.keyDirErr, st: s.st}
}

var sealedContexts = []struct{ host, email, tok string }{
	{"cloud.dify.ai", "tester@dify.ai", "dfoa_" + strings.Repeat("A1b2", 10)},
	{"cloud.dify.ai", "second@dify.ai", "dfoa_" + strings.Repeat("C3d4", 10)},
	{"127.0.0.1:5001", "sso@dify.ai", "dfoe_" + strings.Repeat("E5f6", 10)},
}

func sealAll(t testing.TB, s *sealedStore) []byte {
	t.Helper()
	for _, c := range sealedContexts {
		if err := s.putIn(nil, c.host, c.email, hostLogin(c.host), newToken(c.tok)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(s.path())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealedRoundTrip(t *testing.T) {
	s := newSealedTestStore(t)
	data := sealAll(t, s)
	r := s.reopen()
	for _, c := range sealedContexts {
		tok, err := r.get(c.host, c.email, hostLogin(c.host))
		if err != nil || tok.reveal() != c.tok {
			t.Fatalf("get %s %s = %v, %v", c.host, c.email, tok, err)
		}
		if bytes.Contains(data, []byte(c.tok)) || bytes.Contains(data, []byte(c.tok[5:15])) {
			t.Errorf("tokens.sealed holds %s in the clear", c.email)
		}
	}
	if _, err := r.get("cloud.dify.ai", "nobody@dify.ai", hostLogin("cloud.dify.ai")); !errors.Is(err, errNoCredential) {
		t.Fatalf("missing context: %v", err)
	}
	if !bytes.HasPrefix(data, []byte("difyctl-sealed 1\n")) || !bytes.HasSuffix(data, []byte("\nend 3\n")) {
		t.Errorf("file layout:\n%s", data)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]fs.FileMode{s.path(): 0o600, s.keyPath(): 0o600, s.keyDir: 0o700, s.dir: 0o700} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, %v; want %04o", path, fi.Mode().Perm(), err, want)
			}
		}
	}
	// A fresh nonce per write: sealing the same token twice differs.
	before := s.readLine(t, "cloud.dify.ai", "tester@dify.ai")
	s.putIn(nil, "cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"), newToken(sealedContexts[0].tok))
	if after := s.readLine(t, "cloud.dify.ai", "tester@dify.ai"); after == before {
		t.Error("re-sealing gave the same line: nonce reused")
	}
}

// readLine returns the raw entry line of a context.
func (s *sealedStore) readLine(t testing.TB, host, email string) string {
	t.Helper()
	data, _ := os.ReadFile(s.path())
	if l := parseSealed(data).find(host, email); l != nil {
		return string(l.raw)
	}
	t.Fatalf("no line for %s %s", host, email)
	return ""
}

func TestSealedConfigDirCopiedElsewhereOpensNothing(t *testing.T) {
	s := newSealedTestStore(t)
	sealAll(t, s)
	// The config dir alone next to an empty data dir.
	copied := &sealedStore{dir: s.dir, keyDir: filepath.Join(t.TempDir(), "empty")}
	for _, c := range sealedContexts {
		_, err := copied.get(c.host, c.email, hostLogin(c.host))
		ce := wantCode(t, err, "credential_unreadable")
		if !strings.Contains(ce.Message, s.path()) || !strings.Contains(ce.Message, "key secret") {
			t.Errorf("message %q", ce.Message)
		}
	}
	// Next to another machine's data dir (another key).
	other := newSealedTestStore(t)
	other.putIn(nil, "x", "y@z", hostLogin("x"), newToken("dfoa_other"))
	elsewhere := &sealedStore{dir: s.dir, keyDir: other.keyDir}
	for _, c := range sealedContexts {
		_, err := elsewhere.get(c.host, c.email, hostLogin(c.host))
		ce := wantCode(t, err, "credential_unreadable")
		if !strings.Contains(ce.Message, "different key") {
			t.Errorf("message %q", ce.Message)
		}
	}
	// Writing there keeps the old lines (they are not ours to drop).
	before, _ := os.ReadFile(s.path())
	if err := elsewhere.putIn(nil, "new.host", "n@x", hostLogin("new.host"), newToken("dfoa_new")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(s.path())
	for _, l := range parseSealed(before).entries() {
		if !bytes.Contains(after, append(append([]byte("\n"), l.raw...), '\n')) {
			t.Errorf("line %d was dropped", l.num)
		}
	}
}

// checkDamaged asserts what any damaged copy of the file must give: each
// context reads as its own token or credential_unreadable, a context that
// is not in the file reads as credential_unreadable, and nothing panics.
// It returns the contexts that still read.
func checkDamaged(t *testing.T, s *sealedStore, what string) []int {
	t.Helper()
	var ok []int
	for i, c := range sealedContexts {
		tok, err := s.get(c.host, c.email, hostLogin(c.host))
		switch {
		case err == nil && tok.reveal() == c.tok:
			ok = append(ok, i)
		case err == nil:
			t.Fatalf("%s: %s read a wrong token", what, c.email)
		default:
			ce := wantCode(t, err, "credential_unreadable")
			if !strings.Contains(ce.Message, s.path()) {
				t.Fatalf("%s: message %q does not name the file", what, ce.Message)
			}
		}
	}
	_, err := s.get("absent.host", "nobody@x", hostLogin("absent.host"))
	if err == nil || errors.Is(err, errNoCredential) {
		t.Fatalf("%s: a context missing from a damaged file reads as %v, want credential_unreadable", what, err)
	}
	wantCode(t, err, "credential_unreadable")
	return ok
}

// checkLaterWrite writes a new context over a damaged file and checks that
// every context that read before still reads, and every damaged entry
// line is kept byte for byte.
func checkLaterWrite(t *testing.T, s *sealedStore, damaged []byte, readable []int, what string) {
	t.Helper()
	if err := s.putIn(nil, "later.host", "later@x", hostLogin("later.host"), newToken("dfoa_later")); err != nil {
		t.Fatalf("%s: write: %v", what, err)
	}
	for _, i := range readable {
		c := sealedContexts[i]
		tok, err := s.get(c.host, c.email, hostLogin(c.host))
		if err != nil || tok.reveal() != c.tok {
			t.Fatalf("%s: %s lost by a later write: %v", what, c.email, err)
		}
	}
	if tok, err := s.get("later.host", "later@x", hostLogin("later.host")); err != nil || tok.reveal() != "dfoa_later" {
		t.Fatalf("%s: the new context: %v", what, err)
	}
	after, _ := os.ReadFile(s.path())
	for _, l := range parseSealed(damaged).lines {
		if (l.kind == lineEntry || l.kind == lineDamaged) && !bytes.Contains(after, l.raw) {
			t.Fatalf("%s: line %d (%q) was not kept", what, l.num, l.raw)
		}
	}
}

func TestSealedEveryByteFlip(t *testing.T) {
	s := newSealedTestStore(t)
	orig := sealAll(t, s)
	for i := range orig {
		for _, mask := range []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff} {
			damaged := bytes.Clone(orig)
			damaged[i] ^= mask
			if err := os.WriteFile(s.path(), damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("byte %d ^ %#x", i, mask)
			readable := checkDamaged(t, s, what)
			if mask > 0x02 {
				continue
			}
			if v, ok := sealedHeaderVersion(bytes.SplitN(damaged, []byte("\n"), 2)[0]); ok && v > sealedVersion {
				// The flip made it look like a newer format: it is left
				// alone rather than rewritten.
				wantCode(t, s.putIn(nil, "later.host", "later@x", hostLogin("later.host"), newToken("dfoa_later")), "credential_unreadable")
				if after, _ := os.ReadFile(s.path()); !bytes.Equal(after, damaged) {
					t.Fatalf("%s: a newer-looking file was rewritten", what)
				}
				continue
			}
			checkLaterWrite(t, s, damaged, readable, what)
		}
	}
}

func TestSealedEveryTruncation(t *testing.T) {
	s := newSealedTestStore(t)
	orig := sealAll(t, s)
	for n := 0; n < len(orig); n++ {
		damaged := orig[:n]
		if err := os.WriteFile(s.path(), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("cut at %d", n)
		readable := checkDamaged(t, s, what)
		checkLaterWrite(t, s, damaged, readable, what)
	}
}

func TestSealedMovedCiphertextFails(t *testing.T) {
	s := newSealedTestStore(t)
	sealAll(t, s)
	a := strings.Fields(s.readLine(t, "cloud.dify.ai", "tester@dify.ai"))
	b := strings.Fields(s.readLine(t, "cloud.dify.ai", "second@dify.ai"))
	// b's context, a's box.
	moved := strings.Join([]string{b[0], b[1], b[2], b[3], a[4]}, " ")
	data, _ := os.ReadFile(s.path())
	data = bytes.Replace(data, []byte(strings.Join(b, " ")), []byte(moved), 1)
	os.WriteFile(s.path(), data, 0o600)
	_, err := s.get("cloud.dify.ai", "second@dify.ai", hostLogin("cloud.dify.ai"))
	ce := wantCode(t, err, "credential_unreadable")
	if !strings.Contains(ce.Message, "moved from another context") {
		t.Errorf("message %q", ce.Message)
	}
	if tok, err := s.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai")); err != nil || tok.reveal() != sealedContexts[0].tok {
		t.Errorf("the untouched context: %v", err)
	}
	// a's whole line relabelled as a third context.
	relabelled := strings.Join([]string{a[0], a[1], sealedB64.EncodeToString([]byte("evil.host")), a[3], a[4]}, " ")
	data = append(bytes.TrimSuffix(data, []byte("end 3\n")), []byte(relabelled+"\nend 4\n")...)
	os.WriteFile(s.path(), data, 0o600)
	_, err = s.get("evil.host", "tester@dify.ai", hostLogin("evil.host"))
	wantCode(t, err, "credential_unreadable")
}

func TestSealedRemoveKeepsOthers(t *testing.T) {
	s := newSealedTestStore(t)
	sealAll(t, s)
	keep := s.readLine(t, "127.0.0.1:5001", "sso@dify.ai")
	if err := s.removeIn(nil, "cloud.dify.ai", "tester@dify.ai"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai")); !errors.Is(err, errNoCredential) {
		t.Fatalf("removed context: %v", err)
	}
	if s.readLine(t, "127.0.0.1:5001", "sso@dify.ai") != keep {
		t.Error("another line changed")
	}
	if err := s.removeIn(nil, "cloud.dify.ai", "tester@dify.ai"); err != nil {
		t.Fatalf("removing what is not there: %v", err)
	}
	s.removeIn(nil, "cloud.dify.ai", "second@dify.ai")
	s.removeIn(nil, "127.0.0.1:5001", "sso@dify.ai")
	if _, err := os.Stat(s.path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an empty tokens.sealed was left behind: %v", err)
	}
	// Removing with no file and no config dir at all.
	if err := newSealedTestStore(t).removeIn(nil, "h", "e"); err != nil {
		t.Fatal(err)
	}
}

func TestSealedNewerFormatIsLeftAlone(t *testing.T) {
	s := newSealedTestStore(t)
	orig := sealAll(t, s)
	newer := append([]byte("difyctl-sealed 2\n"), bytes.TrimPrefix(orig, []byte("difyctl-sealed 1\n"))...)
	os.WriteFile(s.path(), newer, 0o600)
	_, err := s.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
	if ce := wantCode(t, err, "credential_unreadable"); !strings.Contains(ce.Message, "newer difyctl (format 2)") {
		t.Errorf("message %q", ce.Message)
	}
	// Signing in again writes the same file: the hint says what helps.
	for _, err := range []error{err, s.putIn(nil, "h", "e@x", hostLogin("h"), newToken("dfoa_x")), s.removeIn(nil, "cloud.dify.ai", "tester@dify.ai")} {
		if ce := wantCode(t, err, "credential_unreadable"); ce.Hint != "use the newer difyctl that wrote it (this one, "+version+", reads format 1)" {
			t.Errorf("hint %q", ce.Hint)
		}
	}
	if after, _ := os.ReadFile(s.path()); !bytes.Equal(after, newer) {
		t.Error("a newer file was rewritten")
	}
}

func TestSealedHostileFiles(t *testing.T) {
	s := newSealedTestStore(t)
	sealAll(t, s)
	for name, data := range map[string][]byte{
		"too large":   bytes.Repeat([]byte("x"), maxSealedFile+1),
		"long line":   []byte("difyctl-sealed 1\n1 " + strings.Repeat("A", maxSealedLine) + "\nend 1\n"),
		"binary":      {0, 1, 2, 0xff, '\n', 0xfe},
		"empty":       {},
		"huge count":  []byte("difyctl-sealed 1\nend 99999999999999999999\n"),
		"only header": []byte("difyctl-sealed 1\n"),
	} {
		os.WriteFile(s.path(), data, 0o600)
		_, err := s.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
		wantCode(t, err, "credential_unreadable")
		_ = name
	}
	os.WriteFile(s.path(), bytes.Repeat([]byte("x"), maxSealedFile+1), 0o600)
	wantCode(t, s.putIn(nil, "h", "e@x", hostLogin("h"), newToken("dfoa_x")), "credential_unreadable")
	if err := s.putIn(nil, "h", "e@x", hostLogin("h"), newToken(strings.Repeat("t", maxSealedToken+1))); err == nil {
		t.Error("an over-long token was sealed")
	}
	if err := s.putIn(nil, "", "e@x", hostLogin(""), newToken("dfoa_x")); err == nil {
		t.Error("an empty host was sealed")
	}
}

func TestSealedKeyFileProblems(t *testing.T) {
	s := newSealedTestStore(t)
	sealAll(t, s)
	for _, content := range []string{"", "garbage\n", "difyctl-key 1 raw !!!\n", "difyctl-key 1 raw AAAA\n", "difyctl-key 1 dpapi AAAA\n", "difyctl-key 9 raw AAAA\n"} {
		os.WriteFile(s.keyPath(), []byte(content), 0o600)
		_, err := s.reopen().get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
		if ce := wantCode(t, err, "credential_unreadable"); !strings.Contains(ce.Message, "key secret") {
			t.Errorf("key %q: message %q", content, ce.Message)
		}
	}
	// An unresolvable data dir.
	bad := &sealedStore{dir: s.dir, keyDirErr: newError("config_dir_unresolved", "HOME is not set", "")}
	_, err := bad.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
	wantCode(t, err, "config_dir_unresolved")
}

func TestSealedRefusesSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	s := newSealedTestStore(t)
	sealAll(t, s)
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.Rename(s.path(), target)
	if err := os.Symlink(target, s.path()); err != nil {
		t.Fatal(err)
	}
	_, err := s.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
	wantCode(t, err, "config_invalid")
	wantCode(t, s.putIn(nil, "h", "e@x", hostLogin("h"), newToken("dfoa_x")), "config_invalid")
	// The key file too.
	os.Remove(s.path())
	os.Rename(target, s.path())
	os.Rename(s.keyPath(), target)
	os.Symlink(target, s.keyPath())
	_, err = s.reopen().get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
	wantCode(t, err, "config_invalid")
}

func TestSealedConcurrentWritersLoseNothing(t *testing.T) {
	s := newSealedTestStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := s.reopen() // its own process, as it were
			errs <- w.putIn(nil, "h", fmt.Sprintf("user%d@x", i), hostLogin("h"), newToken(fmt.Sprintf("dfoa_token%d", i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r := s.reopen()
	for i := range 16 {
		tok, err := r.get("h", fmt.Sprintf("user%d@x", i), hostLogin("h"))
		if err != nil || tok.reveal() != fmt.Sprintf("dfoa_token%d", i) {
			t.Errorf("user%d: %v, %v", i, tok, err)
		}
	}
}

// FuzzSealedReader: no input panics, and what is kept on rewrite is kept
// byte for byte.
func FuzzSealedReader(f *testing.F) {
	s := newSealedTestStore(f)
	valid := sealAll(f, s)
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte("difyctl-sealed 1\nend 0\n"))
	f.Add([]byte("difyctl-sealed 2\n"))
	f.Add(valid[:len(valid)/2])
	key, err := s.loadKey(false)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxSealedFile {
			return
		}
		doc := parseSealed(data)
		doc.damage()
		for _, e := range doc.entries() {
			if len(e.host) == 0 || len(e.host) > maxSealedName || len(e.email) > maxSealedName {
				t.Fatalf("entry with bad bounds: %q", e.raw)
			}
			key.open(e)
		}
		doc.find("cloud.dify.ai", "tester@dify.ai")
		var keep [][]byte
		for _, l := range doc.lines {
			if l.kind == lineEntry || l.kind == lineDamaged {
				keep = append(keep, l.raw)
			}
		}
		again := parseSealed(renderSealed(keep))
		n := 0
		for _, l := range again.lines {
			if l.kind == lineEntry || l.kind == lineDamaged {
				if n >= len(keep) || !bytes.Equal(l.raw, keep[n]) {
					t.Fatalf("rewrite changed line %d", l.num)
				}
				n++
			}
		}
	})
}

// BenchmarkSealedRead is one command's read: a new process opens the key
// and the file and unseals one of ten entries.
func BenchmarkSealedRead(b *testing.B) {
	s := newSealedTestStore(b)
	for i := range 10 {
		s.putIn(nil, "cloud.dify.ai", fmt.Sprintf("user%d@dify.ai", i), hostLogin("cloud.dify.ai"), newToken("dfoa_"+strings.Repeat("x", 40)))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.reopen().get("cloud.dify.ai", "user7@dify.ai", hostLogin("cloud.dify.ai")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealedWrite is one login's write: lock, read, seal, atomic
// replace with fsync.
func BenchmarkSealedWrite(b *testing.B) {
	s := newSealedTestStore(b)
	for i := range 10 {
		s.putIn(nil, "cloud.dify.ai", fmt.Sprintf("user%d@dify.ai", i), hostLogin("cloud.dify.ai"), newToken("dfoa_"+strings.Repeat("x", 40)))
	}
	tok := newToken("dfoa_" + strings.Repeat("y", 40))
	b.ResetTimer()
	for b.Loop() {
		if err := s.reopen().putIn(nil, "cloud.dify.ai", "user7@dify.ai", hostLogin("cloud.dify.ai"), tok); err != nil {
			b.Fatal(err)
		}
	}
}
