package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// parseYAML is parseYAMLText for the bytes tests hold.
func parseYAML(data []byte) (*yamlNode, error) { return parseYAMLText(string(data)) }

// yamlDump renders a tree compactly for assertions: maps as {"k": v},
// sequences as [a, b], quoted scalars as Go strings and plain scalars as Go
// strings prefixed with p, so the difference between 'true' and true shows.
func yamlDump(n *yamlNode) string {
	var b strings.Builder
	var walk func(*yamlNode)
	walk = func(n *yamlNode) {
		switch {
		case n == nil:
			b.WriteString("<nil>")
		case n.Kind == yamlMap:
			b.WriteByte('{')
			for i, k := range n.Keys {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strconv.Quote(k) + ": ")
				walk(n.Vals[i])
			}
			b.WriteByte('}')
		case n.Kind == yamlSeq:
			b.WriteByte('[')
			for i, v := range n.Vals {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(v)
			}
			b.WriteByte(']')
		default:
			if n.Plain {
				b.WriteByte('p')
			}
			b.WriteString(strconv.Quote(n.Value))
		}
	}
	walk(n)
	return b.String()
}

// yamlEquivalent reports whether two trees mean the same: equal structure
// and keys; scalars with equal text, where all nulls are equal and
// plainness only matters when it changes what the text means (plain `12`
// is a number, plain `abc` is the same string as quoted 'abc').
func yamlEquivalent(a, b *yamlNode) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || len(a.Keys) != len(b.Keys) || len(a.Vals) != len(b.Vals) {
		return false
	}
	switch a.Kind {
	case yamlMap, yamlSeq:
		for i := range a.Keys {
			if a.Keys[i] != b.Keys[i] {
				return false
			}
		}
		for i := range a.Vals {
			if !yamlEquivalent(a.Vals[i], b.Vals[i]) {
				return false
			}
		}
		return true
	}
	if a.isNull() && b.isNull() {
		return true
	}
	typed := func(n *yamlNode) bool { return n.Plain && yamlLooksTyped(n.Value) }
	return a.Value == b.Value && !a.isNull() && !b.isNull() && typed(a) == typed(b)
}

func readYAMLFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "yaml", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParseYAML(t testing.TB, data []byte) *yamlNode {
	t.Helper()
	n, err := parseYAML(data)
	if err != nil {
		t.Fatalf("parseYAML: %v\ninput:\n%s", err, data)
	}
	return n
}

func TestYAMLOfficialGolden(t *testing.T) {
	data := readYAMLFixture(t, "official.yml")
	root := mustParseYAML(t, data)

	want := `{"token_storage": p"keychain", "current_host": p"cloud.dify.ai", "hosts": {` +
		`"cloud.dify.ai": {"current_account": p"tester@dify.ai", "accounts": {"tester@dify.ai": {` +
		`"account": {"id": p"acct-1", "email": p"tester@dify.ai", "name": p"Test Tester"}, ` +
		`"workspace": {"id": p"ws-1", "name": p"Default", "role": p"owner"}, "token_id": p"tok-1"}}}, ` +
		`"127.0.0.1:5001": {"scheme": p"http", "current_account": p"sso@dify.ai", "accounts": {"sso@dify.ai": {` +
		`"account": {"id": "", "email": "", "name": ""}, "token_id": p"tok-sso-1", ` +
		`"external_subject": {"email": p"sso@dify.ai", "issuer": p"https://issuer.example"}}}}}}`
	if got := yamlDump(root); got != want {
		t.Errorf("tree:\n got %s\nwant %s", got, want)
	}

	hosts := root.get("hosts")
	if got := hosts.Keys; len(got) != 2 || got[0] != "cloud.dify.ai" || got[1] != "127.0.0.1:5001" {
		t.Errorf("host keys = %q", got)
	}
	sso := hosts.get("127.0.0.1:5001").get("accounts").get("sso@dify.ai")
	id := sso.get("account").get("id")
	if id == nil || id.Kind != yamlScalar || id.Value != "" || id.Plain || id.isNull() {
		t.Errorf("account.id = %+v, want the quoted empty string", id)
	}
	if got := sso.get("external_subject").get("issuer").str(); got != "https://issuer.example" {
		t.Errorf("issuer = %q", got)
	}
	if n := hosts.get("127.0.0.1:5001"); n.Line != 18 || n.Col != 5 {
		t.Errorf("127.0.0.1:5001 value at %d:%d, want 18:5", n.Line, n.Col)
	}

	if out := marshalYAML(root); !bytes.Equal(out, data) {
		t.Errorf("round trip differs from js-yaml output:\n got:\n%s\nwant:\n%s", out, data)
	}
}

func TestYAMLListGolden(t *testing.T) {
	data := readYAMLFixture(t, "list.yml")
	root := mustParseYAML(t, data)
	want := `{"contexts": [{"host": p"cloud.dify.ai", "account": p"alice@corp.com", "name": p"Alice", "active": p"true"}, ` +
		`{"host": p"cloud.dify.ai", "account": p"bob@corp.com", "name": p"Bob", "active": p"false"}]}`
	if got := yamlDump(root); got != want {
		t.Errorf("tree:\n got %s\nwant %s", got, want)
	}
	if out := marshalYAML(root); !bytes.Equal(out, data) {
		t.Errorf("round trip:\n got:\n%s\nwant:\n%s", out, data)
	}
}

func TestYAMLFixtures(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"empty.yml", "<nil>"},
		{"comments_only.yml", "<nil>"},
		{"quoted.yml", `{"single": "it's here", "double": "say \"hi\"", "empty_single": "", "empty_double": "", ` +
			`"quoted key": p"v", "double key": p"v", "a: b": p"colon-space key", "spaces": "  padded  ", ` +
			`"looks_bool": "true", "looks_null": "null", "looks_int": "12", "looks_date": "2026-07-09T10:00:00+00:00", ` +
			`"hash": "a #b", "leading_dash": "- x"}`},
		{"unicode.yml", `{"name": p"测试用户", "emoji": p"🚀 launch ✓", "rtl": p"مرحبا بالعالم", "hebrew": "שלום", ` +
			`"日本語キー": p"値", "quoted_cjk": "中文\t制表", "family": p"👨\u200d👩\u200d👧"}`},
		{"colons.yml", `{"issuer": p"https://issuer.example", "url": p"http://127.0.0.1:5001/dify?x=1#frag", ` +
			`"127.0.0.1:5001": {"scheme": p"http"}, "time": p"10:00", "ratio": p"a:b:c", ` +
			`"key: with colon": "value: with colon", "host:port": p"x"}`},
		{"comments.yml", `{"token_storage": p"keychain", "current_host": "cloud.dify.ai", "hosts": {"cloud.dify.ai": {` +
			`"current_account": "tester@dify.ai", "tag": p"a#b", "url": p"http://x/#anchor", "list": [p"one", p"two"]}}}`},
		{"null.yml", `{"empty": p"", "tilde": p"~", "word": p"null", "Word": p"Null", "WORD": p"NULL", "commented": p"", ` +
			`"quoted": "null", "nested": {"inner": p""}, "seq": [p"", p"~", p"x"], "last": p""}`},
		{"tokens.yml", `{"version": p"1", "tokens": {"cloud.dify.ai": {"tester@dify.ai": p"dfoa_test"}, ` +
			`"127.0.0.1:5001": {"sso@dify.ai": p"dfoe_sso_token"}}}`},
		{"escapes.yml", `{"simple": "q\" bs\\ nl\n tab\t cr\r nul\x00 bell\a bs\b esc\x1b ff\f vt\v slash/ sp ", ` +
			`"unicode": "Aé中🚀", "surrogates": "🚀", "named": "\u0085\u00a0\u2028\u2029", "raw_tab": "a\tb"}`},
		{"seqs.yml", `{"indented": [p"a", p"b"], "flush": [p"c", p"d"], ` +
			`"maps": [{"host": p"cloud.dify.ai", "account": p"alice@corp.com", "active": p"true"}, {"host": p"other", "account": p"bob@corp.com"}], ` +
			`"flush_maps": [{"id": p"1", "name": p"one"}, {"id": p"2"}], "nested": [[p"x", p"y"], [p"z"]], ` +
			`"block_item": [{"k": p"v"}], "empty_items": [{}, []], "after": p"end"}`},
		{"crlf.yml", `{"version": p"1", "tokens": {"cloud.dify.ai": {"tester@dify.ai": p"dfoa_crlf"}}, "list": [p"a"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readYAMLFixture(t, tt.file)
			root := mustParseYAML(t, data)
			if got := yamlDump(root); got != tt.want {
				t.Errorf("tree:\n got %s\nwant %s", got, tt.want)
			}
			if root == nil {
				return
			}
			// Whatever we read, we write back so that it reads the same.
			out := marshalYAML(root)
			again, err := parseYAML(out)
			if err != nil {
				t.Fatalf("re-parse: %v\n%s", err, out)
			}
			if !yamlEquivalent(root, again) {
				t.Errorf("re-parse changed the tree:\n got %s\nwant %s\n%s", yamlDump(again), yamlDump(root), out)
			}
		})
	}
}

// TestYAMLFixtureFlowRefused: a file with flow collections other than {}
// and [] is refused at the first one, naming its line and column.
func TestYAMLFixtureFlowRefused(t *testing.T) {
	_, err := parseYAML(readYAMLFixture(t, "flow.yml"))
	var se *yamlSyntaxError
	if !errors.As(err, &se) || se.Line != 3 || se.Col != 10 || !strings.Contains(se.Msg, "flow collections are not supported") {
		t.Fatalf("flow.yml: err = %v, want line 3, column 10: flow collections are not supported", err)
	}
}

func TestYAMLFixtureCRLFIsCRLF(t *testing.T) {
	data := readYAMLFixture(t, "crlf.yml")
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !bytes.Contains(data, []byte("\r\n")) {
		t.Fatal("testdata/yaml/crlf.yml lost its BOM or CRLF line endings (check git's eol settings)")
	}
	// The js-yaml golden reads the same with CRLF endings.
	lf := readYAMLFixture(t, "official.yml")
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	if a, b := yamlDump(mustParseYAML(t, lf)), yamlDump(mustParseYAML(t, crlf)); a != b {
		t.Errorf("CRLF changed the tree:\n%s\n%s", a, b)
	}
}

func TestYAMLInlineCases(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "<nil>"},
		{"\n\n  \n", "<nil>"},
		{"# only\n", "<nil>"},
		{"---\n", "<nil>"},
		{"\ufeff", "<nil>"},
		{"{}\n", "{}"},
		{"[]", "[]"},
		{"hello", `p"hello"`},
		{"'x'", `"x"`},
		{"- a\n- b", `[p"a", p"b"]`},
		{"- - a\n  - b\n- c", `[[p"a", p"b"], p"c"]`},
		{"-   a: 1\n    b: 2\n", `[{"a": p"1", "b": p"2"}]`},
		{"- a:\n  - x\n- b", `[{"a": [p"x"]}, p"b"]`},
		{"- a:\n  b: 1", `[{"a": p"", "b": p"1"}]`},
		{"-\n- ~", `[p"", p"~"]`},
		{"  a: 1\n  b: 2\n", `{"a": p"1", "b": p"2"}`},
		{"a:\n    b: 1\n    c: 2\nd: 3", `{"a": {"b": p"1", "c": p"2"}, "d": p"3"}`},
		{"a:\n  scalar on its own line\nb: 1", `{"a": p"scalar on its own line", "b": p"1"}`},
		{"a:   spaced   \n", `{"a": p"spaced"}`},
		{"a:\tb\n", `{"a": p"b"}`},
		{"a b : c\n", `{"a b": p"c"}`},
		{"'a' : c\n", `{"a": p"c"}`},
		{"a: 'x' # c\nb: \"y\"   # c\n", `{"a": "x", "b": "y"}`},
		{"-x: -3\n?y: :z\n", `{"-x": p"-3", "?y": p":z"}`},
		{"a: it's\nb: say \"x\"\n", `{"a": p"it's", "b": p"say \"x\""}`},
		{"a: b\n...\n", `{"a": p"b"}`},
		{"--- \na: b\n", `{"a": p"b"}`},
		{"a: \"\\x7F\\x00\"", `{"a": "\x7f\x00"}`},
		{"a: \u2028x\u202e", `{"a": p"\u2028x\u202e"}`},
		{"a: b\r", `{"a": p"b"}`},
		{"a: " + strings.Repeat("x", 1<<20), `{"a": p"` + strings.Repeat("x", 1<<20) + `"}`},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			n, err := parseYAML([]byte(tt.in))
			if err != nil {
				t.Fatalf("parseYAML(%q): %v", tt.in, err)
			}
			if got := yamlDump(n); got != tt.want {
				t.Errorf("parseYAML(%q):\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// js-yaml writes a string that holds a line break as a literal block
// scalar (|, |-, |+, and |2- when it starts with a space), as the value of
// a key or a sequence item. official_multiline.yml is js-yaml 4.3.2's dump
// (lineWidth -1, noRefs) of each string below, as an account name, a
// workspace name and a list item: each reads back as that string, and the
// tree writes out so that it reads the same.
func TestYAMLOfficialLiteralBlocks(t *testing.T) {
	want := []string{"Team A\nProduction", "ends\n", "ends twice\n\n", " leading space\nsecond", "x\n\n  y", "\n",
		"tab\tinside\nline", "#not a comment\n- not an item", "trailing space \nnext", "a\n\n", "\n\nlead", "keep\n\n\n",
		"  two spaces\n  both"}
	root := mustParseYAML(t, readYAMLFixture(t, "official_multiline.yml"))
	accounts := root.get("hosts").get("h.example").get("accounts")
	list := root.get("list")
	if len(accounts.Vals) != len(want) || len(list.Vals) != len(want) {
		t.Fatalf("%d accounts and %d items, want %d", len(accounts.Vals), len(list.Vals), len(want))
	}
	for i, w := range want {
		c := accounts.Vals[i]
		for what, n := range map[string]*yamlNode{"account name": c.get("account").get("name"), "workspace name": c.get("workspace").get("name"), "list item": list.Vals[i]} {
			if n == nil || n.Kind != yamlScalar || n.Value != w {
				t.Errorf("%s %d: got %s, want %q", what, i, yamlDump(n), w)
			}
		}
		if c.get("workspace").get("role").str() != "owner" {
			t.Errorf("account %d: the key after the block was lost: %s", i, yamlDump(c))
		}
	}
	again, err := parseYAML(marshalYAML(root))
	if err != nil || !yamlEquivalent(root, again) {
		t.Fatalf("write then read: %v\n%s", err, marshalYAML(root))
	}
	// Indentation edge cases js-yaml does not write but YAML allows.
	for in, w := range map[string]string{
		"a: |\nb: c\n":                 "",
		"a: |+\n\n\nb: c\n":            "\n\n",
		"a: |\n   x\n  \n    y\n":      "x\n\n y\n",
		"a: |-  # c\n  x\n":            "x",
		"a: |\r\n  x\r\n  y\r\n":       "x\ny\n",
		"- |1\n  x\n":                  " x\n",
		"a: |\n  x\n# comment\nb: c\n": "x\n",
	} {
		n, err := parseYAML([]byte(in))
		if err != nil || n.Vals[0].Value != w {
			t.Errorf("parseYAML(%q): %v %s, want a = %q", in, err, yamlDump(n), w)
		}
	}
}

func TestYAMLErrors(t *testing.T) {
	deepMaps := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat("  ", i) + "a:\n")
		}
		return b.String()
	}
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"anchor", "a: &x b\n", 1, 4, "anchors"},
		{"anchor on key", "b: 1\n&x a: b\n", 2, 1, "anchors"},
		{"alias", "a: b\nc: *a\n", 2, 4, "aliases"},
		{"tag", "a: !!str b\n", 1, 4, "tags"},
		{"tag at root", "!foo x\n", 1, 1, "tags"},
		{"tag in flow", "a: [!x b]\n", 1, 4, "flow collections"},
		{"second document", "a: b\n---\nc: d\n", 2, 1, "multiple documents"},
		{"document after end", "a: b\n...\nc: d\n", 3, 1, "multiple documents"},
		{"content on start line", "--- a\n", 1, 5, "---"},
		{"directive", "%YAML 1.2\n---\na: b\n", 1, 1, "directives"},
		{"tab indent", "a:\n\tb: c\n", 2, 1, "tab"},
		{"tab after spaces", "a:\n  \tb: c\n", 2, 3, "tab"},
		{"tab after dash", "-\ta\n", 1, 2, "tab"},
		{"folded scalar", "a: >-\n  text\n", 1, 4, "folded block scalars (>) are not supported"},
		{"block scalar header text", "a: |x\n  text\n", 1, 5, "after the block scalar header"},
		{"block scalar header digit 0", "a: |0\n  text\n", 1, 5, "after the block scalar header"},
		{"block scalar header comment unspaced", "a: |-#c\n  text\n", 1, 6, "after the block scalar header"},
		{"block scalar as a key", "|: x\n", 1, 1, "literal block scalar (|) can only be the value"},
		{"block scalar at root", "|\n  text\n", 1, 1, "literal block scalar (|) can only be the value"},
		{"control character in a block scalar", "a: |\n  ok\n  b\x01\n", 3, 4, "control character U+0001"},
		{"tab indent after a block scalar", "a: |\n  text\n\tb: c\n", 3, 1, "tab"},
		{"over-indented after a block scalar", "a:\n  b: |\n    text\n c: d\n", 4, 2, "bad indentation"},
		{"duplicate key", "a: 1\nb: 2\na: 3\n", 3, 1, `duplicate key "a"`},
		{"duplicate quoted key", "x:\n  a: 1\n  'a': 2\n", 3, 3, "duplicate key"},
		{"duplicate flow key", "a: {b: 1, b: 2}\n", 1, 4, "flow collections"},
		{"deeper indent", "a:\n  b: 1\n   c: 2\n", 3, 4, "bad indentation"},
		{"shallower indent", "a:\n    b: 1\n  c: 2\n", 3, 3, "bad indentation"},
		{"seq indent", "- a: 1\n b: 2\n", 2, 2, "bad indentation"},
		{"multi-line plain", "a: b\n  c\n", 2, 3, "multi-line plain"},
		{"root continues", "- a\nb: c\n", 2, 1, "sequence item"},
		{"map then seq", "a: 1\n- b\n", 2, 1, "found a sequence item"},
		{"unterminated single", "a: 'abc\n", 1, 4, "unterminated"},
		{"unterminated double", "a: \"abc\n", 1, 4, "unterminated"},
		{"multi-line double", "a: \"abc\\\n  def\"\n", 1, 4, "multi-line"},
		{"unterminated key", "'abc: d\n", 1, 1, "unterminated"},
		{"NUL", "a: b\x00c\n", 1, 5, "NUL"},
		{"invalid UTF-8", "a: \xff\n", 1, 4, "invalid UTF-8"},
		{"invalid UTF-8 after rune", "a: é\xff\n", 1, 5, "invalid UTF-8"},
		{"invalid UTF-8 in comment", "# \xc3\n", 1, 3, "invalid UTF-8"},
		{"control char", "a: \x07\n", 1, 4, "control character"},
		{"C1 char", "a: \u0080\n", 1, 4, "non-printable"},
		{"non-character", "a: \ufffe\n", 1, 4, "non-printable"},
		{"lone CR", "a: b\rc: d\n", 1, 5, "carriage return"},
		{"deep flow", strings.Repeat("[", 200), 1, 1, "flow collections"},
		{"deep maps", deepMaps(200), 101, 201, "nesting"},
		{"deep seqs", strings.Repeat("- ", 200) + "x", 1, 201, "nesting"},
		{"mapping in value", "a: b: c\n", 1, 5, `unexpected ":"`},
		{"explicit key", "? a\n: b\n", 1, 1, "explicit keys"},
		{"missing key", ": b\n", 1, 1, "missing key"},
		{"seq on key line", "a: - b\n", 1, 4, "sequence"},
		{"unclosed flow", "a: [b, c\n", 1, 4, "flow collections"},
		{"unclosed flow comment", "a: {b: c #}\n", 1, 4, "flow collections"},
		{"flow seq pair", "a: [b: c]\n", 1, 4, "flow collections"},
		{"flow missing comma", "a: ['b' c]\n", 1, 4, "flow collections"},
		{"text after flow", "a: [b c d] x\n", 1, 4, "flow collections"},
		{"text after quote", "a: 'b' c\n", 1, 8, "unexpected text"},
		{"comment glued to quote", "a: 'b'#c\n", 1, 7, "unexpected text"},
		{"empty flow item", "a: [b, , c]\n", 1, 4, "flow collections"},
		{"unknown escape", "a: \"\\q\"\n", 1, 5, "unknown escape"},
		{"bad hex escape", "a: \"\\xZZ\"\n", 1, 5, "hexadecimal"},
		{"lone surrogate", "a: \"\\ud800\"\n", 1, 5, "not a valid Unicode"},
		{"escape past U+10FFFF", "a: \"\\U00110000\"\n", 1, 5, "not a valid Unicode character (U+110000)"},
		{"escape past int32", "a: \"\\U80000000\"\n", 1, 5, "not a valid Unicode character (U+80000000)"},
		{"escape of all ones", "a: \"\\UFFFFFFFF\"\n", 1, 5, "not a valid Unicode character (U+FFFFFFFF)"},
		{"reserved @", "a: @x\n", 1, 4, "quote the value"},
		{"reserved backtick", "a: `x`\n", 1, 4, "quote the value"},
		{"flow key", "a: {[b]: c}\n", 1, 4, "flow collections"},
		// Flow collections other than the empty {} and [], wherever they are.
		{"flow seq", "a: [x, [y, [z]]]", 1, 4, "flow collections"},
		{"flow map", "a: {b: {c: d}}", 1, 4, "flow collections"},
		{"flow map no space", "a: {x:y}", 1, 4, "flow collections"},
		{"flow quoted items", "a: ['it''s', \"\\u00e9\"]", 1, 4, "flow collections"},
		{"flow at root", "{a: b}\n", 1, 1, "flow collections"},
		{"flow seq item", "a:\n  - [x]\n", 2, 5, "flow collections"},
		{"flow key at root", "[a]: b\n", 1, 1, "flow collections"},
		{"empty then more", "a: {} x\n", 1, 7, "unexpected text"},
		{"scalar then key", "a\nb: c\n", 2, 1, "multi-line plain"},
		// What may follow the root: parseYAMLText names it after the root's kind.
		{"root seq then shallower", "  - a\nb: c\n", 2, 1, "bad indentation"},
		{"root map then shallower", "  a: 1\nb: 2\n", 2, 1, "bad indentation"},
		{"root empty map then more", "{}\na: b\n", 2, 1, "bad indentation"},
		{"root quoted then more", "'x'\n  y\n", 2, 3, "bad indentation"},
		{"nested seq then non-item", "a:\n  - b\n  c: d\n", 3, 3, "bad indentation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseYAML([]byte(tt.in))
			if err == nil {
				t.Fatalf("parseYAML(%.60q) = %s, want an error", tt.in, yamlDump(n))
			}
			var se *yamlSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *yamlSyntaxError", err, err)
			}
			if n != nil {
				t.Errorf("node %s returned with an error", yamlDump(n))
			}
			if se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("parseYAML(%.60q):\n got %v\nwant line %d, column %d: …%s…", tt.in, err, tt.line, tt.col, tt.msg)
			}
			wantPrefix := fmt.Sprintf("line %d, column %d: ", se.Line, se.Col)
			if !strings.HasPrefix(err.Error(), wantPrefix) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), wantPrefix)
			}
		})
	}
}

func TestYAMLQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		// Kept plain, as js-yaml writes them.
		{"keychain", "keychain"},
		{"127.0.0.1:5001", "127.0.0.1:5001"},
		{"tester@dify.ai", "tester@dify.ai"},
		{"https://issuer.example", "https://issuer.example"},
		{"Test Tester", "Test Tester"},
		{"difyctl on my-laptop", "difyctl on my-laptop"},
		{"it's", "it's"},
		{"a#b", "a#b"},
		{"a:b", "a:b"},
		{"1.2.3", "1.2.3"},
		{"v1", "v1"},
		{"测试用户", "测试用户"},
		{"🚀", "🚀"},
		{"مرحبا", "مرحبا"},
		{".", "."},
		{"+", "+"},
		{"1e", "1e"},
		{"0x", "0x"},
		{"yess", "yess"},
		// Single-quoted.
		{"", "''"},
		{" a", "' a'"},
		{"a ", "'a '"},
		{"a: b", "'a: b'"},
		{"a:", "'a:'"},
		{"a #b", "'a #b'"},
		{"#x", "'#x'"},
		{"'", "''''"},
		{"it's: x", "'it''s: x'"},
		{"\"", `'"'`},
		{"- x", "'- x'"},
		{"-x", "'-x'"},
		{"?x", "'?x'"},
		{":x", "':x'"},
		{"@x", "'@x'"},
		{"`x`", "'`x`'"},
		{"%x", "'%x'"},
		{"&a", "'&a'"},
		{"*a", "'*a'"},
		{"!a", "'!a'"},
		{"|", "'|'"},
		{">", "'>'"},
		{"[a]", "'[a]'"},
		{"{a}", "'{a}'"},
		{",", "','"},
		{"...", "'...'"},
		{"<<", "'<<'"},
		{"~", "'~'"},
		{"null", "'null'"},
		{"Null", "'Null'"},
		{"NULL", "'NULL'"},
		{"true", "'true'"},
		{"False", "'False'"},
		{"TRUE", "'TRUE'"},
		{"yes", "'yes'"},
		{"No", "'No'"},
		{"on", "'on'"},
		{"OFF", "'OFF'"},
		{"y", "'y'"},
		{"N", "'N'"},
		{"12", "'12'"},
		{"-3", "'-3'"},
		{"+3", "'+3'"},
		{"0x1F", "'0x1F'"},
		{"0o17", "'0o17'"},
		{"0b101", "'0b101'"},
		{"017", "'017'"},
		{"1_000", "'1_000'"},
		{"1.5", "'1.5'"},
		{".5", "'.5'"},
		{"5.", "'5.'"},
		{"1e3", "'1e3'"},
		{"1.5E-3", "'1.5E-3'"},
		{".inf", "'.inf'"},
		{"-.Inf", "'-.Inf'"},
		{".nan", "'.nan'"},
		{"1:30", "'1:30'"},
		{"2026-07-09", "'2026-07-09'"},
		{"2026-07-09T10:00:00+00:00", "'2026-07-09T10:00:00+00:00'"},
		{"2026-07-09 10:00:00", "'2026-07-09 10:00:00'"},
		// Double-quoted with escapes.
		{"a\nb", `"a\nb"`},
		{"\t", `"\t"`},
		{"a\tb", `"a\tb"`},
		{"\x00\a\b\v\f\r\x1b", `"\0\a\b\v\f\r\e"`},
		{"\x7f", `"\x7F"`},
		{"\u0085", `"\N"`},
		{"\u0090", `"\x90"`},
		{"\u2028\u2029", `"\L\P"`},
		{"\u202e", `"\u202E"`},
		{"a\u200bb", `"a\u200Bb"`},
		{"\u2066x\u2069", `"\u2066x\u2069"`},
		{"\ufeff", `"\uFEFF"`},
		{"say \"hi\"\n", `"say \"hi\"\n"`},
		{"back\\slash\n", `"back\\slash\n"`},
		// The terminal's invisible characters too: one policy.
		{"\U000e0001", `"\U000E0001"`},
		{"a\u061cb", `"a\u061Cb"`},
		{"soft\u00adhyphen", `"soft\xADhyphen"`},
		{"\u2060", `"\u2060"`},
		// Invalid UTF-8 becomes U+FFFD.
		{"a\xffb", "a\uFFFDb"},
		{"\xff\n", `"` + "\uFFFD" + `\n"`},
	}
	for _, tt := range tests {
		got := yamlQuote(tt.in)
		if got != tt.want {
			t.Errorf("yamlQuote(%q) = %s, want %s", tt.in, got, tt.want)
			continue
		}
		// What is written reads back as the string (U+FFFD for bad bytes).
		n, err := parseYAML([]byte("k: " + got + "\n" + got + ": v\n"))
		if err != nil {
			t.Errorf("yamlQuote(%q) = %s does not parse: %v", tt.in, got, err)
			continue
		}
		want := strings.ToValidUTF8(tt.in, "\uFFFD")
		if v := n.get("k"); v.Value != want || (v.Plain && got != want) {
			t.Errorf("yamlQuote(%q) = %s reads back as %s", tt.in, got, yamlDump(v))
		}
		if len(n.Keys) != 2 || n.Keys[1] != want {
			t.Errorf("yamlQuote(%q) = %s as a key reads back as %q", tt.in, got, n.Keys)
		}
	}
}

func TestMarshalYAMLLayout(t *testing.T) {
	ctx := func(host, account string, active bool) *yamlNode {
		m := yamlNewMap()
		m.set("host", yamlString(host))
		m.set("account", yamlString(account))
		m.set("active", yamlBool(active))
		return m
	}
	seq := func(items ...*yamlNode) *yamlNode { return &yamlNode{Kind: yamlSeq, Vals: items} }
	mapOf := func(kv ...any) *yamlNode {
		m := yamlNewMap()
		for i := 0; i < len(kv); i += 2 {
			m.set(kv[i].(string), kv[i+1].(*yamlNode))
		}
		return m
	}
	tests := []struct {
		name string
		in   *yamlNode
		want string
	}{
		{"nil", nil, "null\n"},
		{"empty map", yamlNewMap(), "{}\n"},
		{"empty seq", seq(), "[]\n"},
		{"scalar", yamlString("x"), "x\n"},
		{"quoted scalar", yamlString("true"), "'true'\n"},
		{"plain marker-like root", &yamlNode{Kind: yamlScalar, Plain: true, Value: "--- x"}, " --- x\n"},
		{"auth list", mapOf("contexts", seq(ctx("a", "b", true), ctx("c", "d", false))),
			"contexts:\n  - host: a\n    account: b\n    active: true\n  - host: c\n    account: d\n    active: false\n"},
		{"auth list empty", mapOf("contexts", seq()), "contexts: []\n"},
		{"empty values", mapOf("m", yamlNewMap(), "s", seq(), "n", &yamlNode{Kind: yamlScalar, Plain: true}, "e", yamlString("")),
			"m: {}\ns: []\n'n': null\ne: ''\n"},
		{"nested", mapOf("a", mapOf("b", mapOf("c", yamlString("d")))), "a:\n  b:\n    c: d\n"},
		{"top-level seq", seq(yamlString("a"), seq(yamlString("b"), yamlString("c")), yamlNewMap(), seq(),
			mapOf("k", mapOf("x", yamlString("y")), "l", seq(yamlString("z")))),
			"- a\n- - b\n  - c\n- {}\n- []\n- k:\n    x: 'y'\n  l:\n    - z\n"},
		{"quoted keys", mapOf("127.0.0.1:5001", yamlString("x"), "a: b", yamlString("y"), "", yamlString("z"), "true", yamlBool(true)),
			"127.0.0.1:5001: x\n'a: b': 'y'\n'': z\n'true': true\n"},
		{"unsafe plain is quoted", mapOf("a", &yamlNode{Kind: yamlScalar, Plain: true, Value: "x\ny: z"}), "a: \"x\\ny: z\"\n"},
		{"plain with BOM is quoted", mapOf("a", &yamlNode{Kind: yamlScalar, Plain: true, Value: "\ufeffx"}), "a: \"\\uFEFFx\"\n"},
		{"plain keeps inner tab", mapOf("a", &yamlNode{Kind: yamlScalar, Plain: true, Value: "2001-12-14\t21:59:43"}), "a: 2001-12-14\t21:59:43\n"},
		{"plain -3 stays", mapOf("a", &yamlNode{Kind: yamlScalar, Plain: true, Value: "-3"}), "a: -3\n"},
		{"nil value", &yamlNode{Kind: yamlMap, Keys: []string{"a"}, Vals: []*yamlNode{nil}}, "a: null\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(marshalYAML(tt.in))
			if got != tt.want {
				t.Errorf("marshalYAML:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestYAMLNodeHelpers(t *testing.T) {
	root := mustParseYAML(t, []byte("a: 1\nhosts:\nb: x\nn: ~\nq: 'null'\nl:\n  - x\n"))
	if root.get("a").str() != "1" || root.get("b").str() != "x" || root.get("missing") != nil {
		t.Errorf("get: a=%v b=%v", root.get("a"), root.get("b"))
	}
	var nilNode *yamlNode
	if nilNode.get("a") != nil || root.get("a").get("x") != nil || nilNode.str() != "" || !nilNode.isNull() {
		t.Error("nil or non-map receivers must be safe")
	}
	for _, k := range []string{"hosts", "n"} {
		if !root.get(k).isNull() || root.get(k).str() != "" {
			t.Errorf("%s should be null", k)
		}
	}
	if root.get("q").isNull() || root.get("q").str() != "null" {
		t.Error("quoted 'null' is a string")
	}
	if root.get("l").isNull() || root.get("l").str() != "" {
		t.Error("a sequence is not null and has no str")
	}

	root.set("a", yamlString("2"))             // replaced in place
	root.get("hosts").set("h", yamlBool(true)) // null becomes a map
	root.set("z", yamlString("new"))           // appended
	root.del("b")
	root.del("absent")
	want := "a: '2'\nhosts:\n  h: true\n'n': ~\nq: 'null'\nl:\n  - x\nz: new\n"
	if got := string(marshalYAML(root)); got != want {
		t.Errorf("after set/del:\n got %q\nwant %q", got, want)
	}
	nilNode.set("a", yamlString("x")) // no panic
	nilNode.del("a")
	for _, v := range []string{"", "~", "null", "Null", "NULL"} {
		if !(&yamlNode{Kind: yamlScalar, Plain: true, Value: v}).isNull() {
			t.Errorf("%q should be null", v)
		}
		if v != "" && (&yamlNode{Kind: yamlScalar, Value: v}).isNull() {
			t.Errorf("quoted %q should not be null", v)
		}
	}
	if b := yamlBool(false); !b.Plain || b.Value != "false" {
		t.Errorf("yamlBool(false) = %+v", b)
	}
	if s := yamlString("x"); s.Plain || s.Kind != yamlScalar {
		t.Errorf("yamlString = %+v", s)
	}
}

// yamlTrickyStrings seed the round-trip fuzzer and the round-trip test.
var yamlTrickyStrings = []string{
	"", " a", "a ", "a: b", "#", "- x", "'", "\"", "~", "true", "12", "2026-01-01",
	"\t", "\u202e", "@x", "a #b", "k", "list", "...", "--- x", "a\nb", "\r\n", "\\",
	"127.0.0.1:5001", "tester@dify.ai", "Test Tester", "é", "👨\u200d👩\u200d👧", "\x00",
	"\xff", "\ufeff", "\u2028", "0x1F", ".inf", "y", "<<", "null", "a:", ":", "-", "?",
	"[a, b]", "{a: b}", "'it''s'", "\"q\"", "a\\nb", "\u0085", "\U0010FFFF",
}

func TestYAMLRoundTripStrings(t *testing.T) {
	for _, s := range yamlTrickyStrings {
		checkYAMLRoundTrip(t, s)
	}
}

// checkYAMLRoundTrip writes s as a value, a key, sequence items and a
// top-level scalar, and checks that each reads back as s.
func checkYAMLRoundTrip(t *testing.T, s string) {
	t.Helper()
	want := strings.ToValidUTF8(s, "\uFFFD")
	doc := yamlNewMap()
	doc.set("k", yamlString(s))
	lines := 1
	if want != "k" && want != "list" {
		doc.set(s, yamlString("v"))
		lines++
	}
	doc.set("list", &yamlNode{Kind: yamlSeq, Vals: []*yamlNode{yamlString(s), {Kind: yamlMap, Keys: []string{s}, Vals: []*yamlNode{yamlString(s)}}}})
	lines += 3
	out := marshalYAML(doc)
	if got := bytes.Count(out, []byte("\n")); got != lines {
		t.Fatalf("%q: %d lines written, want %d:\n%s", s, got, lines, out)
	}
	n, err := parseYAML(out)
	if err != nil {
		t.Fatalf("%q: written document does not parse: %v\n%s", s, err, out)
	}
	isString := func(v *yamlNode) bool {
		return v != nil && v.Kind == yamlScalar && v.Value == want && (!v.Plain || (!v.isNull() && !yamlLooksTyped(v.Value)))
	}
	list := n.get("list")
	switch {
	case !isString(n.get("k")):
		t.Fatalf("%q: value read back as %s\n%s", s, yamlDump(n.get("k")), out)
	case lines == 5 && (len(n.Keys) != 3 || n.Keys[1] != want || n.get(want).str() != "v"):
		t.Fatalf("%q: key read back as %q\n%s", s, n.Keys, out)
	case list == nil || len(list.Vals) != 2 || !isString(list.Vals[0]):
		t.Fatalf("%q: sequence item read back as %s\n%s", s, yamlDump(list), out)
	case len(list.Vals[1].Keys) != 1 || list.Vals[1].Keys[0] != want || !isString(list.Vals[1].Vals[0]):
		t.Fatalf("%q: map in sequence read back as %s\n%s", s, yamlDump(list.Vals[1]), out)
	}
	root, err := parseYAML(marshalYAML(yamlString(s)))
	if err != nil || !isString(root) {
		t.Fatalf("%q: top-level scalar read back as %s, %v", s, yamlDump(root), err)
	}
}

func FuzzYAMLRoundTrip(f *testing.F) {
	for _, s := range yamlTrickyStrings {
		f.Add(s)
	}
	f.Fuzz(checkYAMLRoundTrip)
}

func FuzzYAMLReader(f *testing.F) {
	for _, name := range []string{"official.yml", "quoted.yml", "flow.yml", "seqs.yml", "escapes.yml", "null.yml", "comments.yml", "official_multiline.yml"} {
		f.Add(readYAMLFixture(f, name))
	}
	for _, s := range yamlTrickyStrings {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseYAML(data)
		if err != nil {
			var se *yamlSyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 || se.Line > bytes.Count(data, []byte("\n"))+1 || n != nil {
				t.Fatalf("bad error %T %v (node %v)", err, err, n)
			}
			return
		}
		if n == nil {
			return
		}
		out := marshalYAML(n)
		again, err := parseYAML(out)
		if err != nil {
			t.Fatalf("re-parse failed: %v\ninput %q\nwritten %q", err, data, out)
		}
		if !yamlEquivalent(n, again) {
			t.Fatalf("re-parse changed the tree:\n%s\n%s\ninput %q\nwritten %q", yamlDump(n), yamlDump(again), data, out)
		}
		if out2 := marshalYAML(again); !bytes.Equal(out, out2) {
			t.Fatalf("writer not stable:\n%q\n%q", out, out2)
		}
	})
}

func TestYAMLLinearTime(t *testing.T) {
	// Pathological 1 MiB inputs must finish quickly: a linear reader takes
	// milliseconds, a quadratic one (10^12 steps) would take hours.
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"long flow line", "a: [" + strings.Repeat("x, ", 1<<18) + "y]\n", false},
		{"long block line", "- " + strings.Repeat("x, ", 1<<18) + "y\n", true},
		{"many keys", yamlManyKeys(1 << 15), true},
		{"many items", strings.Repeat("- a: b\n", 1<<17), true},
		{"long quoted", "a: '" + strings.Repeat("''", 1<<19) + "'\n", true},
		{"long escapes", "a: \"" + strings.Repeat("\\t", 1<<19) + "\"\n", true},
		{"colons", "a: " + strings.Repeat(":x", 1<<19) + "\n", true},
		{"deep dashes", strings.Repeat("- ", 1<<19), false},
		{"deep brackets", strings.Repeat("[", 1<<20), false},
		{"unclosed quote", "a: '" + strings.Repeat("x", 1<<20), false},
		{"long bad utf8", strings.Repeat("é", 1<<19) + "\xff", false},
		{"duplicate at end", yamlManyKeys(1<<15) + "key0: again\n", false},
	}
	for _, tt := range tests {
		start := time.Now()
		n, err := parseYAML([]byte(tt.in))
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("%s: %v for %d bytes", tt.name, elapsed, len(tt.in))
		}
		if (err == nil) != tt.ok || (tt.ok && n == nil) {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func yamlManyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "key%d: value\n", i)
	}
	return b.String()
}

// yamlHostsTree builds a hosts.yml-shaped tree with hosts*accounts contexts.
func yamlHostsTree(hosts, accounts int) *yamlNode {
	root := yamlNewMap()
	root.set("token_storage", &yamlNode{Kind: yamlScalar, Plain: true, Value: "keychain"})
	root.set("current_host", yamlString("host0.example.com"))
	hm := yamlNewMap()
	for h := range hosts {
		host := yamlNewMap()
		host.set("current_account", yamlString("user0@example.com"))
		accs := yamlNewMap()
		for a := range accounts {
			email := fmt.Sprintf("user%d@example.com", a)
			acct := yamlNewMap()
			acct.set("id", yamlString(fmt.Sprintf("acct-%d-%d", h, a)))
			acct.set("email", yamlString(email))
			acct.set("name", yamlString(fmt.Sprintf("User %d", a)))
			ws := yamlNewMap()
			ws.set("id", yamlString("ws-1"))
			ws.set("name", yamlString("Default"))
			ws.set("role", yamlString("owner"))
			ctx := yamlNewMap()
			ctx.set("account", acct)
			ctx.set("workspace", ws)
			ctx.set("token_id", yamlString("6f1c2d3e-0000-4000-8000-00000000000"+strconv.Itoa(a%10)))
			ctx.set("token_expires_at", yamlString("2026-07-09T10:00:00+00:00"))
			ctx.set("token_storage", yamlString("sealed"))
			accs.set(email, ctx)
		}
		host.set("accounts", accs)
		hm.set(fmt.Sprintf("host%d.example.com:%d", h, 5000+h), host)
	}
	root.set("hosts", hm)
	return root
}

func BenchmarkParseYAML(b *testing.B) {
	data := marshalYAML(yamlHostsTree(100, 10))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseYAML(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalYAML(b *testing.B) {
	tree := yamlHostsTree(100, 10)
	b.SetBytes(int64(len(marshalYAML(tree))))
	for b.Loop() {
		marshalYAML(tree)
	}
}

func TestYAMLBenchTreeRoundTrip(t *testing.T) {
	tree := yamlHostsTree(3, 2)
	out := marshalYAML(tree)
	back := mustParseYAML(t, out)
	if !yamlEquivalent(tree, back) || !utf8.Valid(out) {
		t.Fatalf("hosts tree does not round trip:\n%s", out)
	}
}

// yamlBigHosts writes a hosts.yml with n contexts the way a large
// installation has them: n/10 hosts (at least one) of n/hosts accounts.
func yamlBigHosts(n int) []byte {
	var b strings.Builder
	b.WriteString("token_storage: file\ncurrent_host: h0.example.com\nhosts:\n")
	hosts := max(n/10, 1)
	per := n / hosts
	for h := range hosts {
		fmt.Fprintf(&b, "  h%d.example.com:\n    current_account: u0@example.com\n    accounts:\n", h)
		for a := range per {
			fmt.Fprintf(&b, "      u%d@example.com:\n        account:\n          id: acct-%d-%d\n"+
				"          email: u%d@example.com\n          name: User %d\n"+
				"        workspace:\n          id: ws-1\n          name: Default\n          role: owner\n"+
				"        token_id: 6f1c%04d%04d-0000-4000-8000-000000000000\n"+
				"        token_expires_at: '2026-07-09T10:00:00+00:00'\n        token_storage: sealed\n",
				a, h, a, a, a, h, a)
		}
	}
	return []byte(b.String())
}

func TestYAMLBigHosts(t *testing.T) {
	root := mustParseYAML(t, yamlBigHosts(10000))
	hosts := root.get("hosts")
	if len(hosts.Keys) != 1000 || root.get("current_host").str() != "h0.example.com" {
		t.Fatalf("hosts: %d keys", len(hosts.Keys))
	}
	h := hosts.get("h999.example.com")
	accts := h.get("accounts")
	if len(accts.Keys) != 10 || h.Line != 122882 || h.Col != 5 {
		t.Fatalf("h999: %d accounts at %d:%d", len(accts.Keys), h.Line, h.Col)
	}
	ctx := accts.get("u9@example.com")
	if got := ctx.get("account").get("id").str(); got != "acct-999-9" {
		t.Errorf("id = %q", got)
	}
	if v := ctx.get("token_expires_at"); v.Plain || v.Value != "2026-07-09T10:00:00+00:00" || v.Line != 123002 || v.Col != 27 {
		t.Errorf("token_expires_at = %+v", v)
	}
	// Parsed nodes share no storage: growing one map leaves its
	// neighbours alone.
	acct := ctx.get("account")
	acct.set("extra", yamlString("x"))
	acct.Keys = append(acct.Keys, "more")
	acct.Vals = append(acct.Vals, yamlString("y"))
	if ws := ctx.get("workspace"); len(ws.Keys) != 3 || ws.Keys[0] != "id" || ws.get("id").str() != "ws-1" {
		t.Errorf("workspace changed: %s", yamlDump(ws))
	}
	if got := yamlDump(accts.get("u8@example.com").get("workspace")); got != `{"id": p"ws-1", "name": p"Default", "role": p"owner"}` {
		t.Errorf("neighbour changed: %s", got)
	}
	if out := marshalYAML(root); !bytes.Contains(out, []byte("extra: x\n")) {
		t.Error("set value not written")
	}
}

// TestYAMLCollectionSizes reads maps and sequences (indented and flush) of
// sizes up to 300 (the parser collects entries on shared stacks) and checks
// that each holds exactly its own entries.
func TestYAMLCollectionSizes(t *testing.T) {
	for n := range 300 {
		var b strings.Builder
		b.WriteString("m:\n")
		for i := range n {
			fmt.Fprintf(&b, "  k%d: v%d\n", i, i)
		}
		b.WriteString("s:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - %d\n", i)
		}
		b.WriteString("f:\n")
		for i := range n {
			fmt.Fprintf(&b, "- %d\n", i)
		}
		b.WriteString("last:\n  x: y\n")
		root := mustParseYAML(t, []byte(b.String()))
		m, s, f := root.get("m"), root.get("s"), root.get("f")
		if n > 0 && (len(m.Keys) != n || len(m.Vals) != n || len(s.Vals) != n || len(f.Vals) != n) {
			t.Fatalf("%d entries: %d keys, %d values, %d and %d items", n, len(m.Keys), len(m.Vals), len(s.Vals), len(f.Vals))
		}
		// Growing one collection leaves the others alone.
		m.Keys = append(m.Keys, "new")
		m.Vals = append(m.Vals, yamlString("new"))
		s.Vals = append(s.Vals, yamlString("new"))
		f.Vals = append(f.Vals, yamlString("new"))
		for i := range n {
			k, v := fmt.Sprint("k", i), fmt.Sprint("v", i)
			if m.Keys[i] != k || m.Vals[i].Value != v || s.Vals[i].Value != strconv.Itoa(i) || f.Vals[i].Value != strconv.Itoa(i) {
				t.Fatalf("%d entries: entry %d is %s", n, i, yamlDump(root))
			}
		}
		if strings.Join(root.Keys, " ") != "m s f last" || len(root.Vals) != 4 || yamlDump(root.get("last")) != `{"x": p"y"}` {
			t.Fatalf("%d entries: %s", n, yamlDump(root))
		}
	}
}

// BenchmarkParseYAML10k parses a hosts.yml with 10 000 contexts (3.5 MB).
func BenchmarkParseYAML10k(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		data := yamlBigHosts(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseYAML(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
