package main

// hygiene_test.go: secret hygiene across the whole suite. Every token the
// fake servers minted is searched for in every stdout and stderr a
// difyctl run produced, every file left in a test machine's HOME (config
// dir, data dir, everything), and every argv logged by the child-process
// shims. The only place a token may exist in clear is the OS credential
// store, which is not a file here.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// hygiene collects what the suite saw. It is checked once, after all tests.
var hygiene = struct {
	sync.Mutex
	tokens map[string]string // token → where it was minted
	texts  []hygieneText
}{tokens: map[string]string{}}

type hygieneText struct{ where, text string }

// noteTokens records tokens a fake minted.
func noteTokens(where string, toks []mintedToken) {
	hygiene.Lock()
	defer hygiene.Unlock()
	for _, tk := range toks {
		if tk.Token != "" && !tk.Seeded {
			hygiene.tokens[tk.Token] = where
		}
	}
}

// noteText records something difyctl wrote or left behind.
func noteText(where, text string) {
	if text == "" {
		return
	}
	hygiene.Lock()
	hygiene.texts = append(hygiene.texts, hygieneText{where, text})
	hygiene.Unlock()
}

// noteFiles records every regular file under dir.
func noteFiles(t testing.TB, dir string) {
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Size() < 64<<20 {
			if b, err := os.ReadFile(p); err == nil {
				noteText(t.Name()+": file "+p, string(b))
			}
		}
		return nil
	})
}

// checkHygiene reports every place a minted token showed up. It returns
// false on any hit.
func checkHygiene() bool {
	hygiene.Lock()
	defer hygiene.Unlock()
	if len(hygiene.tokens) == 0 {
		return true
	}
	var hits []string
	for tok, minted := range hygiene.tokens {
		for _, x := range hygiene.texts {
			if strings.Contains(x.text, tok) {
				hits = append(hits, fmt.Sprintf("token minted in %s found in %s", minted, x.where))
			}
		}
	}
	sort.Strings(hits)
	if len(hits) > 0 {
		fmt.Fprintf(os.Stderr, "--- FAIL: secret hygiene: %d leak(s)\n", len(hits))
		for _, h := range hits {
			fmt.Fprintln(os.Stderr, "    "+h)
		}
		return false
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "secret hygiene: %d tokens checked against %d outputs, files and argv logs: no leaks\n",
			len(hygiene.tokens), len(hygiene.texts))
	}
	return true
}

func TestHygieneCatchesALeak(t *testing.T) {
	// The checker itself must be able to fail: plant a token in a text and
	// look for it with a private copy of the collections.
	hygiene.Lock()
	savedTokens, savedTexts := hygiene.tokens, hygiene.texts
	hygiene.tokens = map[string]string{"dfoa_planted": "this test"}
	hygiene.texts = []hygieneText{{"a stderr", "oops dfoa_planted leaked"}}
	hygiene.Unlock()
	old := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull)
	ok := checkHygiene()
	os.Stderr = old
	hygiene.Lock()
	hygiene.tokens, hygiene.texts = savedTokens, savedTexts
	hygiene.Unlock()
	if ok {
		t.Fatal("the hygiene check missed a planted token")
	}
}
