package main

// bench_test.go: benchmarks of hosts.yml parse and write and of the local
// commands (auth list, auth whoami) run in-process at 10, 1 000 and 10 000
// contexts. They check the exit code and nothing about time; the figures
// and the whole-process measurements (testdata/bench.sh) are in the README.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var benchSizes = []int{10, 1000, 10000}

// benchHosts is the model of a hosts.yml holding n contexts as real
// sign-ins leave it: ten accounts per host (so n/10 hosts), every field a
// login writes filled in; one host in five is a self-hosted http one signed
// in to with --insecure under a path prefix. testdata/bench.sh generates
// the same file byte for byte (TestBenchHostsShape pins its shape).
func benchHosts(n int) *hostsFile {
	h := &hostsFile{TokenStorage: "file"}
	var e *hostEntry
	for i := range n {
		if i%10 == 0 {
			hi := i / 10
			e = &hostEntry{Host: fmt.Sprintf("dify%d.example.com", hi)}
			if hi%5 == 4 {
				e.Host = fmt.Sprintf("dify%d.corp.example:5001", hi)
				e.Scheme, e.InsecureTLS, e.Path = "http", true, "/dify"
			}
			h.Hosts = append(h.Hosts, e)
			if hi == 0 {
				h.CurrentHost = e.Host
			}
		}
		email := fmt.Sprintf("user%d@example.com", i)
		storage := "sealed"
		if i%3 == 0 {
			storage = "keychain"
		}
		role := "normal"
		if i%10 == 0 {
			role = "owner"
		}
		e.Accounts = append(e.Accounts, &contextEntry{
			Email:          email,
			Account:        accountInfo{ID: benchUUID(1, i), Email: email, Name: fmt.Sprintf("User %d", i)},
			Workspace:      &workspaceInfo{ID: benchUUID(2, i/10), Name: fmt.Sprintf("Workspace %d", i/10), Role: role},
			TokenID:        benchUUID(3, i),
			TokenExpiresAt: fmt.Sprintf("2026-07-%02dT10:%02d:%02d.%06d+00:00", 1+i%28, i%60, (i/60)%60, i%1000000),
			TokenStorage:   storage,
		})
		if i%10 == 0 {
			e.CurrentAccount = email
		}
	}
	return h
}

func benchUUID(kind, i int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, kind, i*7919)
}

// benchHostsFile returns the encoded file for n contexts.
func benchHostsFile(n int) []byte { return encodeHosts(benchHosts(n)) }

// decodeFull reads hosts.yml text into the model as store.read does.
func decodeFull(text string) (*hostsFile, error) {
	root, err := parseYAMLText(text)
	if err != nil {
		return nil, err
	}
	return decodeHosts(root)
}

// benchConfigDir writes the file for n contexts into a fresh config dir
// (0700, file 0600, as difyctl leaves them) and returns the app's env.
func benchConfigDir(b *testing.B, n int) map[string]string {
	b.Helper()
	root := b.TempDir()
	env := map[string]string{
		"DIFY_CONFIG_DIR":    filepath.Join(root, "config"),
		"DIFY_DATA_DIR":      filepath.Join(root, "data"),
		"HOME":               root,
		"DIFY_TOKEN_STORAGE": "sealed",
	}
	if err := os.MkdirAll(env["DIFY_CONFIG_DIR"], 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(env["DIFY_CONFIG_DIR"], hostsFileName), benchHostsFile(n), 0o600); err != nil {
		b.Fatal(err)
	}
	return env
}

// benchRun runs one whole command in-process, as runMain would, with
// stdout discarded; a non-zero exit fails the benchmark.
func benchRun(b *testing.B, env map[string]string, args ...string) {
	var stderr bytes.Buffer
	a := &app{
		ctx:    context.Background(),
		stdin:  strings.NewReader(""),
		stdout: io.Discard,
		stderr: &stderr,
		getenv: func(k string) string { return env[k] },
		now:    time.Now,
	}
	if code := a.run(args); code != 0 {
		b.Fatalf("difyctl %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
}

// BenchmarkHostsParse reads hosts.yml text into the model, as store.read
// does.
func BenchmarkHostsParse(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			text := string(benchHostsFile(n))
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				h, err := decodeFull(text)
				if err != nil {
					b.Fatal(err)
				}
				if h.count() != n {
					b.Fatalf("decoded %d contexts, want %d", h.count(), n)
				}
			}
		})
	}
}

func BenchmarkHostsWrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			data := benchHostsFile(n)
			root, err := parseYAML(data)
			if err != nil {
				b.Fatal(err)
			}
			// As store.update does: encode the model read from the file.
			h, err := decodeHosts(root)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if out := encodeHosts(h); len(out) != len(data) {
					b.Fatalf("encoded %d bytes, read %d", len(out), len(data))
				}
			}
		})
	}
}

func BenchmarkAuthList(b *testing.B) {
	for _, n := range benchSizes {
		env := benchConfigDir(b, n)
		for _, format := range []string{"table", "json"} {
			args := []string{"auth", "list"}
			if format != "table" {
				args = append(args, "-o", format)
			}
			b.Run(fmt.Sprintf("%d/%s", n, format), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					benchRun(b, env, args...)
				}
			})
		}
	}
}

func BenchmarkWhoami(b *testing.B) {
	for _, n := range []int{10, 10000} {
		env := benchConfigDir(b, n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchRun(b, env, "auth", "whoami")
			}
		})
	}
}

// TestBenchHostsShape checks that the benchmark file is what a sign-in
// writes and reads back whole, and pins its first context, which
// testdata/bench.sh's generator reproduces.
func TestBenchHostsShape(t *testing.T) {
	data := benchHostsFile(50)
	root, err := parseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	h, err := decodeHosts(root)
	if err != nil {
		t.Fatal(err)
	}
	if h.count() != 50 || len(h.Hosts) != 5 || !h.Hosts[4].InsecureTLS || h.Hosts[4].Path != "/dify" {
		t.Fatalf("decoded %d contexts on %d hosts", h.count(), len(h.Hosts))
	}
	if _, c := h.active(); c == nil || c.Email != "user0@example.com" {
		t.Fatalf("active context: %+v", c)
	}
	const head = `token_storage: file
current_host: dify0.example.com
hosts:
  dify0.example.com:
    current_account: user0@example.com
    accounts:
      user0@example.com:
        account:
          id: 00000000-0001-4000-8000-000000000000
          email: user0@example.com
          name: User 0
        workspace:
          id: 00000000-0002-4000-8000-000000000000
          name: Workspace 0
          role: owner
        token_id: 00000000-0003-4000-8000-000000000000
        token_expires_at: '2026-07-01T10:00:00.000000+00:00'
        token_storage: keychain
`
	if !bytes.HasPrefix(data, []byte(head)) {
		t.Fatalf("the benchmark file starts\n%s", data[:min(len(data), len(head)+200)])
	}
}
