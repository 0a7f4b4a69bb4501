package main

// store_test.go: the hosts.yml model and its locked read-modify-write,
// including twenty processes at once and the temp file a killed writer leaves.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const helperEnv = "DIFYCTL_TEST_HELPER"

// runHelperOrTests lets the test binary act as a second process that
// changes the store, for the locking and crash tests.
func runHelperOrTests(m *testing.M) int {
	switch os.Getenv(helperEnv) {
	case "":
		return m.Run()
	case "add-context":
		s := &store{dir: os.Getenv("DIFY_CONFIG_DIR")}
		host, email := os.Getenv("HELPER_HOST"), os.Getenv("HELPER_EMAIL")
		err := s.update(func(h *hostsFile) error {
			time.Sleep(5 * time.Millisecond) // widen the race window
			h.upsert(host, &contextEntry{Email: email, Account: accountInfo{ID: "id-" + email, Email: email, Name: "N"}})
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	return 2
}

func helperCmd(t *testing.T, dir, mode string, extra ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append([]string{helperEnv + "=" + mode, "DIFY_CONFIG_DIR=" + dir, "HOME=" + dir}, extra...)
	return cmd
}

func TestTwentyWritersLoseNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := helperCmd(t, dir, "add-context",
				fmt.Sprintf("HELPER_HOST=h%d.example", i%4), fmt.Sprintf("HELPER_EMAIL=u%d@x.io", i))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Sprintf("writer %d: %v %s", i, err, out)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	h, err := (&store{dir: dir}).load()
	if err != nil {
		t.Fatal(err)
	}
	if h.count() != n {
		t.Fatalf("want %d contexts, got %d:\n%s", n, h.count(), encodeHosts(h))
	}
	for i := 0; i < n; i++ {
		if h.host(fmt.Sprintf("h%d.example", i%4)).account(fmt.Sprintf("u%d@x.io", i)) == nil {
			t.Errorf("context u%d lost", i)
		}
	}
}

// A writer killed between writing its temp file and renaming it leaves
// the old hosts.yml and the temp file (TestCrashSafetyRandomKills kills
// real writers at random points). The stray temp file breaks nothing:
// reads ignore it, the next write (which can take the lock the dead
// process held) removes it.
func TestKilledWritersTempFileIsIgnoredThenRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	os.MkdirAll(dir, 0o700)
	old := fixture(t, "official.yml")
	os.WriteFile(filepath.Join(dir, hostsFileName), []byte(old), 0o600)
	tmp := filepath.Join(dir, tempPrefix(hostsFileName)+randomSuffix())
	os.WriteFile(tmp, []byte("current_host: new.example\nhosts:\n  new.example: {}\n"), 0o600)

	s := &store{dir: dir}
	if h, err := s.load(); err != nil || h.count() != 2 || h.CurrentHost == "new.example" {
		t.Fatalf("load with a stray temp file: %v", err)
	}
	if err := s.update(func(h *hostsFile) error { h.CurrentHost = "127.0.0.1:5001"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("stray temp file still there: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestOfficialFileRoundTripsUnchanged(t *testing.T) {
	src := fixture(t, "official.yml")
	h, err := decodeFull(src)
	if err != nil {
		t.Fatal(err)
	}
	if h.TokenStorage != "keychain" || h.CurrentHost != "cloud.dify.ai" || len(h.Hosts) != 2 {
		t.Fatalf("decoded: %+v", h)
	}
	e, c := h.active()
	if e.Host != "cloud.dify.ai" || c.Account.Name != "Test Tester" || c.Workspace.Name != "Default" || c.TokenID != "tok-1" {
		t.Fatalf("active: %+v %+v", e, c)
	}
	sso := h.host("127.0.0.1:5001")
	if sso.Scheme != "http" || sso.Accounts[0].External.Issuer != "https://issuer.example" || !sso.Accounts[0].isExternal() {
		t.Fatalf("sso host: %+v", sso)
	}
	if got := string(encodeHosts(h)); got != src {
		t.Fatalf("rewrite changed the official file:\n%s", got)
	}
}

func TestUnknownKeysSurviveRewrite(t *testing.T) {
	src := fixture(t, "varied.yml")
	h, err := decodeFull(src)
	if err != nil {
		t.Fatal(err)
	}
	h.CurrentHost = "dify.internal.acme.com"
	out := string(encodeHosts(h))
	if !strings.Contains(out, "x_future_field: kept") {
		t.Fatalf("unknown key dropped:\n%s", out)
	}
	root2, err := parseYAML([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := decodeHosts(root2)
	c := h2.host("dify.example.com").account("bot: deploy@company.com")
	if c == nil || c.Account.Name != "张伟 🚀" || c.Account.Email != "bot: deploy@company.com" {
		t.Fatalf("values changed on rewrite: %+v", c)
	}
	if h2.host("dify.example.com").account("you@company.com").TokenExpiresAt != "2026-07-09T10:00:00+00:00" {
		t.Fatal("token_expires_at changed")
	}
}

func TestRemoveNeverActivatesAnother(t *testing.T) {
	h := &hostsFile{}
	for _, email := range []string{"a@x.io", "b@x.io"} {
		h.upsert("one.example", &contextEntry{Email: email})
	}
	h.upsert("two.example", &contextEntry{Email: "c@x.io"})
	h.CurrentHost, h.Hosts[0].CurrentAccount = "one.example", "a@x.io"
	h.remove("one.example", "a@x.io")
	if h.CurrentHost != "" || h.Hosts[0].CurrentAccount != "" {
		t.Fatalf("another context became active: %q %q", h.CurrentHost, h.Hosts[0].CurrentAccount)
	}
	h.remove("two.example", "c@x.io")
	if h.host("two.example") != nil {
		t.Fatal("an empty host was kept")
	}
}

func TestSchemaShapeErrorsAreConfigInvalid(t *testing.T) {
	for _, src := range []string{"hosts: 5\n", "hosts:\n  a: []\n", "- a\n", "hosts:\n  a:\n    accounts:\n      e:\n        account: str\n"} {
		root, err := parseYAML([]byte(src))
		if err != nil {
			continue
		}
		if _, err := decodeHosts(root); err == nil {
			t.Errorf("%q: want a shape error", src)
		}
	}
}

// A held storeTx is the one critical section of a sign-in: its own
// update writes while it holds the OS lock, another process's update waits
// for its release, and no hosts.yml.lock outlives either write.
func TestStoreTxIsExplicitAndExclusive(t *testing.T) {
	s := &store{dir: filepath.Join(t.TempDir(), "cfg")}
	tx, err := s.exclusive()
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.update(func(h *hostsFile) error {
		h.upsert("a.example", &contextEntry{Email: "a@x.io"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.dir, lockFileName)); !os.IsNotExist(err) {
		t.Fatalf("hosts.yml.lock left while the OS lock is still held: %v", err)
	}
	cmd := helperCmd(t, s.dir, "add-context", "HELPER_HOST=h.example", "HELPER_EMAIL=u@x.io")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("another process wrote while the OS lock was held: %v %s", err, out.String())
	case <-time.After(500 * time.Millisecond):
	}
	tx.release()
	tx.release() // twice is fine
	if err := <-done; err != nil {
		t.Fatalf("the other process failed after the release: %v %s", err, out.String())
	}
	h, err := s.load()
	if err != nil || h.count() != 2 {
		t.Fatalf("after both writes: %v, %d contexts", err, h.count())
	}
}
