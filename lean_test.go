package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// decodeLean and decodeFull read hosts.yml text the two ways store.read
// does: contexts taken while parsing (load, for commands that only look)
// and the whole tree kept (update).
func decodeLean(text string) (*hostsFile, error) {
	d := &hostsDecoder{}
	root, err := parseYAMLText(text, d.takeContext)
	if err != nil {
		return nil, err
	}
	return d.hosts(root)
}

func decodeFull(text string) (*hostsFile, error) {
	root, err := parseYAMLText(text, nil)
	if err != nil {
		return nil, err
	}
	return decodeHosts(root)
}

// modelOnly copies what a command sees of a model, without the nodes.
func modelOnly(h *hostsFile) *hostsFile {
	if h == nil {
		return nil
	}
	out := &hostsFile{TokenStorage: h.TokenStorage, CurrentHost: h.CurrentHost}
	for _, e := range h.Hosts {
		ec := *e
		ec.node, ec.Accounts = nil, nil
		for _, c := range e.Accounts {
			cc := *c
			cc.node, cc.accountNode = nil, nil
			ec.Accounts = append(ec.Accounts, &cc)
		}
		out.Hosts = append(out.Hosts, &ec)
	}
	return out
}

// checkLeanMatchesFull: whatever the input, a lean read gives the model a
// full read gives, or the same error.
func checkLeanMatchesFull(t *testing.T, text string) {
	t.Helper()
	full, fullErr := decodeFull(text)
	lean, leanErr := decodeLean(text)
	if (fullErr == nil) != (leanErr == nil) || (fullErr != nil && fullErr.Error() != leanErr.Error()) {
		t.Fatalf("errors differ for %.500q:\nfull: %v\nlean: %v", text, fullErr, leanErr)
	}
	if !reflect.DeepEqual(modelOnly(full), modelOnly(lean)) {
		t.Fatalf("models differ for %.500q:\nfull: %s\nlean: %s", text, dumpModel(full), dumpModel(lean))
	}
}

func dumpModel(h *hostsFile) string {
	if h == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString("token_storage=" + h.TokenStorage + " current_host=" + h.CurrentHost + "\n")
	for _, e := range h.Hosts {
		b.WriteString("  " + e.Host + " current=" + e.CurrentAccount + "\n")
		for _, c := range e.Accounts {
			b.WriteString("    " + c.Email + " " + c.Account.Name + " " + c.TokenID + "\n")
		}
	}
	return b.String()
}

// leanSeeds are hosts.yml texts whose contexts are taken, left in the tree
// (bad shapes, flow style, sequences on the way) or both.
var leanSeeds = []string{
	"",
	"hosts:\n",
	"hosts:\n  a.example:\n    accounts:\n      u@x.io:\n        account: {id: 1, email: u@x.io, name: U}\n        token_id: t\n",
	"current_host: a\nhosts:\n  a:\n    current_account: u@x\n    accounts:\n      u@x:\n      v@x:\n        token_storage: sealed\n  b:\n    accounts:\n      u@x:\n        workspace:\n          id: w\n          name: W\n          role: owner\n",
	// A context that does not decode stays in the tree and fails in place.
	"hosts:\n  a:\n    accounts:\n      ok@x:\n        token_id: 1\n      bad@x:\n        token_id: [1, 2]\n      later@x:\n        token_id: 3\n",
	"hosts:\n  a:\n    accounts:\n      bad@x: [1]\n",
	"hosts:\n  a:\n    accounts:\n      u@x:\n        account: 7\n",
	// A syntax error after a context that was taken.
	"hosts:\n  a:\n    accounts:\n      u@x:\n        token_id: 1\n  b: {\n",
	"hosts:\n  a:\n    accounts:\n      u@x:\n        token_id: 1\n      u@x:\n        token_id: 2\n",
	// Flow style and sequences on the way: nothing is taken.
	"hosts: {a: {accounts: {u@x: {token_id: 1}}}}\n",
	"hosts:\n  a:\n    accounts: {u@x: {token_id: 1}, v@x: {token_id: 2}}\n",
	"hosts:\n  - a:\n      accounts:\n        u@x:\n          token_id: 1\n",
	"- hosts:\n    a:\n      accounts:\n        u@x:\n          token_id: 1\n",
	// Same shape under other keys: not contexts.
	"other:\n  a:\n    accounts:\n      u@x:\n        token_id: [1]\n",
	"hosts:\n  a:\n    other:\n      u@x:\n        token_id: [1]\n    accounts:\n      v@x:\n        token_id: 2\n",
	"other:\n  a:\n    accounts:\n      u@x:\n        token_id: 1\nhosts:\n  a:\n    accounts:\n      u@x:\n        token_id: 2\n",
	"hosts:\n  a:\n    other:\n      v@x:\n        token_id: 1\n    accounts:\n      v@x:\n        token_id: 2\n",
	"hosts:\n  a:\n    accounts:\n      v@x:\n        token_id: 1\n        accounts:\n          v@x:\n            token_id: 2\n",
	"hosts:\n  a:\n    accounts:\n      u@x:\n        token_id: 1\n        extra:\n          deep:\n            - 1\n            - {x: y}\n      v@x:\n        token_id: 2\n",
	"hosts:\n  a: 5\n",
	"hosts:\n  a:\n    accounts: 5\n",
}

func TestLeanReadMatchesFullRead(t *testing.T) {
	seeds := append([]string{}, leanSeeds...)
	files, _ := filepath.Glob(filepath.Join("testdata", "hosts", "*.yml"))
	yamlFiles, _ := filepath.Glob(filepath.Join("testdata", "yaml", "*.yml"))
	for _, f := range append(files, yamlFiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	seeds = append(seeds, string(benchHostsFile(1000)))
	// Many hosts of one account each: the blocks the parser carves nodes
	// and keys from fill up at every possible point of a taken entry.
	var many strings.Builder
	many.WriteString("hosts:\n")
	for i := range 3000 {
		fmt.Fprintf(&many, "  h%d:\n    current_account: u%d@x\n    accounts:\n      u%d@x:\n        account:\n          id: a%d\n          name: N%d\n        token_id: t%d\n", i, i, i, i, i, i)
	}
	seeds = append(seeds, many.String())
	for _, s := range seeds {
		checkLeanMatchesFull(t, s)
	}
	// The seeds must exercise both outcomes of the taker.
	lean, err := decodeLean(leanSeeds[3])
	if err != nil || lean.count() != 3 {
		t.Fatalf("lean read of a valid file: %v, %d contexts", err, lean.count())
	}
	if _, err := decodeLean(leanSeeds[4]); err == nil || !strings.Contains(err.Error(), "token_id must be a string") {
		t.Fatalf("lean read of a bad context: %v", err)
	}
}

func FuzzLeanRead(f *testing.F) {
	for _, s := range leanSeeds {
		f.Add(s)
	}
	f.Fuzz(checkLeanMatchesFull)
}

// TestLeanReadKeepsNoTree: commands that only look read hosts.yml in
// memory close to the size of their model, not of the parse tree, which is
// what keeps `auth list` at 10 000 contexts small.
func TestLeanReadKeepsNoTree(t *testing.T) {
	text := string(benchHostsFile(10000))
	allocated := func(read func(string) (*hostsFile, error)) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		h, err := read(text)
		runtime.ReadMemStats(&after)
		if err != nil || h.count() != 10000 {
			t.Fatalf("read: %v, %d contexts", err, h.count())
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	lean, full := allocated(decodeLean), allocated(decodeFull)
	t.Logf("file %d bytes; lean read allocated %d, full read %d", len(text), lean, full)
	// The model is about 200 bytes a context and the hosts level of the
	// tree stays, so a lean read costs a little less than the file itself;
	// the whole tree costs several times the file.
	if lean > uint64(len(text)) || lean*4 > full {
		t.Errorf("a lean read of %d bytes allocated %d bytes; want less than the file and under a quarter of a full read's %d", len(text), lean, full)
	}
}
