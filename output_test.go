package main

// output_test.go: the sanitizer, display width, the table renderer, the
// JSON writer and the error envelopes.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := map[string]string{
		"plain text":                         "plain text",
		"red\x1b[31mtext\x1b[0m":             "redtext",
		"title\x1b]0;pwned\x07after":         "titleafter",
		"link\x1b]8;;http://x\x1b\\y":        "linky",
		"dcs\x1bPq#0;2;0;0;0\x1b\\end":       "dcsend",
		"clear\x1b[2J\x1b[H":                 "clear",
		"charset\x1b(Bx":                     "charsetx",
		"c1 csi\u009b31mred":                 "c1 csired",
		"c1 osc\u009d0;t\u0007ok":            "c1 oscok",
		"bidi \u202eexe.txt":                 `bidi \u202eexe.txt`,
		"isolate\u2066x\u2069":               `isolate\u2066x\u2069`,
		"zero\u200bwidth\ufeff":              `zero\u200bwidth\ufeff`,
		"tag\U000e0041":                      `tag\U000e0041`,
		"tab\tnew\nline\rcr":                 "tab new line cr",
		"bell\a del\x7f nul\x00":             "bell del nul",
		"bad utf8 \xff\xfe":                  "bad utf8 \ufffd\ufffd",
		"wide 张伟 🚀 ok":                       "wide 张伟 🚀 ok",
		"trailing esc \x1b":                  "trailing esc ",
		"unterminated osc \x1b]0;forever...": "unterminated osc ",
	}
	for in, want := range cases {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"a\x1b[31mb", "\x1b]0;x\x07", "\u202e", "\u009b1m", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := sanitize(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isInvisible(r) {
				t.Fatalf("sanitize(%q) left %U", s, r)
			}
		}
		if sanitize(out) != out {
			t.Fatalf("sanitize is not idempotent on %q", s)
		}
	})
}

func TestDisplayWidth(t *testing.T) {
	for s, w := range map[string]int{"abc": 3, "张伟": 4, "🚀": 2, "e\u0301": 1, "ｆｕｌｌ": 8, "한국": 4, "": 0} {
		if got := displayWidth(s); got != w {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, w)
		}
	}
}

func TestRenderTableAlignsWideCells(t *testing.T) {
	var b bytes.Buffer
	renderTable(&b, []string{"HOST", "ACCOUNT", "ACTIVE"}, [][]string{
		{"cloud.dify.ai", "张伟@x.cn (张伟)", "*"},
		{"x.io", "a@x.io (A)", ""},
	})
	want := "HOST           ACCOUNT           ACTIVE\n" +
		"cloud.dify.ai  张伟@x.cn (张伟)  *\n" +
		"x.io           a@x.io (A)\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestContextsJSONEscapesOnlyWhatHides(t *testing.T) {
	rows := []contextRow{
		{"cloud.dify.ai", "a@x.io", "Ann", true},
		{"h:1", "q\"uote\\@x", "tab\there \x1b[31m", false},
		{"x", "张伟@x.cn", "bidi\u202e \u2028 <html> & \u007f\u0085 \u061c\U000e0041", false},
	}
	var got bytes.Buffer
	if err := writeContextsJSON(&got, rows); err != nil {
		t.Fatal(err)
	}
	out := got.Bytes()
	for _, want := range []string{` <html> & `, `\u202e`, `\u2028`, `\u007f`, `\u0085`, `\u061c`, `\udb40\udc41`, `"张伟@x.cn"`, "\n      \"active\": true\n"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	for _, r := range string(out) {
		if r != '\n' && needsEscape(r) {
			t.Errorf("raw %U in output:\n%s", r, out)
		}
	}
	for _, rows := range [][]contextRow{rows, {}} {
		var got bytes.Buffer
		writeContextsJSON(&got, rows)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Contexts []contextRow `json:"contexts"`
		}{rows})
		if !bytes.Equal(got.Bytes(), escapeInvisible(want.Bytes())) {
			t.Errorf("%d rows: got\n%s\nwant (encoding/json)\n%s", len(rows), got.Bytes(), want.Bytes())
		}
	}
	var back struct{ Contexts []contextRow }
	if err := json.Unmarshal(out, &back); err != nil || !slices.Equal(back.Contexts, rows) {
		t.Fatalf("does not read back (%v):\n%s", err, out)
	}
}

func TestContextsYAMLMatchesMarshalYAML(t *testing.T) {
	var rows []contextRow
	for i, s := range yamlTrickyStrings {
		rows = append(rows, contextRow{Host: s, Account: s + "@x.io", Name: s, Active: i%2 == 0})
	}
	rows = append(rows, contextRow{"", "", "", false})
	for i := range 2000 {
		rows = append(rows, contextRow{"h" + strconv.Itoa(i) + ".example:5001", "u@x.io", "User " + strconv.Itoa(i), i == 7})
	}
	for _, rows := range [][]contextRow{rows[:len(yamlTrickyStrings)+1], rows, {}} {
		// The reference: the same document built as a tree and written by
		// marshalYAML, whose output reads back (see the YAML fuzzers).
		seq := &yamlNode{Kind: yamlSeq}
		for _, r := range rows {
			m := yamlNewMap()
			m.set("host", yamlString(r.Host))
			m.set("account", yamlString(r.Account))
			m.set("name", yamlString(r.Name))
			m.set("active", yamlBool(r.Active))
			seq.Vals = append(seq.Vals, m)
		}
		root := yamlNewMap()
		root.set("contexts", seq)
		want := marshalYAML(root)
		if got := contextsYAML(rows); !bytes.Equal(got, want) {
			t.Fatalf("%d rows: got:\n%.3000s\nwant:\n%.3000s", len(rows), got, want)
		}
	}
}

func TestRenderTableLong(t *testing.T) {
	var rows [][]string
	var want strings.Builder
	// The widest cells are h2999 (5) and u2999@x.io (10).
	line := func(host, account, mark string) {
		want.WriteString(strings.TrimRight(fmt.Sprintf("%-5s  %-10s  %s", host, account, mark), " ") + "\n")
	}
	line("HOST", "ACCOUNT", "ACTIVE")
	for i := range 3000 {
		host, account, mark := "h"+strconv.Itoa(i), "u"+strconv.Itoa(i)+"@x.io", ""
		if i == 2999 {
			mark = "*"
		}
		rows = append(rows, []string{host, account, mark})
		line(host, account, mark)
	}
	var got bytes.Buffer
	if err := renderTable(&got, []string{"HOST", "ACCOUNT", "ACTIVE"}, rows); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("got:\n%.500s\nwant:\n%.500s", got.String(), want.String())
	}
}

func TestEscapeInvisibleKeepsJSONMeaning(t *testing.T) {
	in := marshalLine(map[string]string{"k": "a\u202eb\u200bc\u0085d\u007fe 张"})
	out := escapeInvisible(in)
	if bytes.ContainsAny(out, "\u202e\u200b\u0085\u007f") {
		t.Fatalf("invisible characters left: %q", out)
	}
	var a, b map[string]string
	if json.Unmarshal(in, &a) != nil || json.Unmarshal(out, &b) != nil || a["k"] != b["k"] {
		t.Fatalf("meaning changed: %q vs %q", in, out)
	}
}

// A server's JSON passes through json.Compact, which keeps bytes that are
// not UTF-8: a lone 0x9b is CSI where 8-bit controls are honoured. They
// leave as \ufffd, and the JSON reads as before.
func TestEscapeInvisibleReplacesInvalidUTF8(t *testing.T) {
	in := []byte("{\"device_label\":\"A\x9b2J\xc2\x9b31mB\xff\"}\n")
	out := escapeInvisible(in)
	if !utf8.Valid(out) || bytes.ContainsAny(out, "\x9b\u009b") {
		t.Fatalf("raw bytes left: %q", out)
	}
	var a, b map[string]string
	if json.Unmarshal(in, &a) != nil || json.Unmarshal(out, &b) != nil || a["device_label"] != b["device_label"] {
		t.Fatalf("meaning changed: %q vs %q", a, b)
	}
}

func TestExitCodes(t *testing.T) {
	for code, exit := range map[string]int{
		"not_logged_in": 4, "auth_expired": 4, "access_denied": 4, "expired_token": 4,
		"usage_invalid_flag": 2, "usage_missing_arg": 2, "illegal_argument": 2,
		"unsupported_endpoint": 6, "version_skew": 6, "rate_limited": 7,
		"server_5xx": 1, "network_connection": 1, "config_invalid": 1, "keyring_unavailable": 1,
		"credential_unreadable": 1, "something_new": 1,
	} {
		if got := exitCodeFor(newError(code, "m", "")); got != exit {
			t.Errorf("%s: exit %d, want %d", code, got, exit)
		}
	}
	if exitCodeFor(errInterrupted) != 130 || exitCodeFor(errors.New("x")) != 1 || exitCodeFor(nil) != 0 {
		t.Fatal("special cases")
	}
}

func httpErrorFixture() *cliError {
	return &cliError{
		Code: "server_4xx_other", Message: "Request validation failed", HTTPStatus: 422,
		Method: "GET", URL: "https://dify.example.com/openapi/v1/account/sessions?limit=500&page=1",
		Server: json.RawMessage(`{"code":"invalid_param","message":"Request validation failed","status":422,` +
			`"details":[{"type":"less_than_equal","loc":["limit"],"msg":"Input should be less than or equal to 200"}]}`),
	}
}

func TestErrorEnvelopes(t *testing.T) {
	var b bytes.Buffer
	writeHumanError(&b, httpErrorFixture(), colors{})
	golden(t, "error_http.txt", b.String())
	b.Reset()
	writeJSONError(&b, httpErrorFixture())
	golden(t, "error_http.json", b.String())
	b.Reset()
	writeHumanError(&b, newError("rate_limited", "too many requests\x1b[2J", "retry after 7 seconds"), colors{})
	golden(t, "error_rate_limited.txt", b.String())
	b.Reset()
	writeJSONError(&b, newError("not_logged_in", "not logged in", "run 'difyctl auth login'"))
	golden(t, "error_not_logged_in.json", b.String())
	if strings.Count(b.String(), "\n") != 1 {
		t.Fatal("the JSON envelope must be one line")
	}
}

// The terminal writer and the file writers share one policy: a character
// the terminal shows escaped or drops is never written raw to hosts.yml
// or JSON output.
func TestOneCharacterPolicy(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		s := "a" + string(r) + "b"
		hidden := sanitize(s) != s && r != '\t' && r != '\n' && r != '\r'
		if !hidden {
			continue
		}
		if q := yamlQuote(s); q[0] != '"' || strings.ContainsRune(q, r) {
			t.Errorf("%U: the terminal hides it, the YAML writer writes %s", r, q)
		}
		if j := marshalLine(s); bytes.ContainsRune(j, r) {
			t.Errorf("%U: the terminal hides it, the JSON writer writes %s", r, j)
		}
	}
}
