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
	// tokenStdouts are the stdouts of `difyctl auth token`, the one
	// command allowed to print a secret. Each must be exactly one token
	// and a newline; the command's stderr is an ordinary text.
	tokenStdouts []hygieneText
}{tokens: map[string]string{}}

type hygieneText struct{ where, text string }

// noteTokenStdout records the stdout of `auth token`.
func noteTokenStdout(where, text string) {
	hygiene.Lock()
	hygiene.tokenStdouts = append(hygiene.tokenStdouts, hygieneText{where, text})
	hygiene.Unlock()
}

// tokenLine reports whether s is what auth token may print: nothing, or
// one printable word and a newline.
func tokenLine(s string) bool {
	if s == "" {
		return true
	}
	body, ok := strings.CutSuffix(s, "\n")
	if !ok || body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		if body[i] <= ' ' || body[i] >= 0x7f {
			return false
		}
	}
	return true
}

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
	var hits []string
	for _, x := range hygiene.tokenStdouts {
		if !tokenLine(x.text) {
			hits = append(hits, fmt.Sprintf("%s printed more than one token and a newline", x.where))
		}
	}
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
	if testing.Verbose() && len(hygiene.tokens) > 0 {
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

func TestHygieneAllowsOnlyATokenLine(t *testing.T) {
	for s, want := range map[string]bool{
		"":                  true,
		"dfoa_abc\n":        true,
		"dfoa_abc":          false,
		"dfoa_abc\nmore\n":  false,
		"note: dfoa_abc\n":  false,
		"\n":                false,
		"dfoa_abc\x1b[2J\n": false,
	} {
		if got := tokenLine(s); got != want {
			t.Errorf("tokenLine(%q) = %v, want %v", s, got, want)
		}
	}
}
