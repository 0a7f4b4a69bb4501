package main

// yaml.go reads and writes the YAML subset of SPEC §2 that our writer and
// the official client's js-yaml write: block mappings and sequences, plain
// and quoted one-line scalars, literal block scalars (|, for a string with
// a line break), {} and [], comments. Anything else is an error with line
// and column, so a file is never misread and rewritten wrong.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

type yamlKind int

const (
	yamlScalar yamlKind = iota
	yamlMap
	yamlSeq
)

// yamlNode is one value. Maps keep their key order, so a rewrite keeps the
// file's order and its unknown keys.
type yamlNode struct {
	Kind  yamlKind
	Value string // a scalar's decoded text
	// Plain marks a scalar unquoted in the source (so `~`, `12`, `true`
	// keep their YAML meaning) or one the writer writes bare (yamlBool).
	// Strings set by the program leave it false and are quoted as needed.
	Plain     bool
	Keys      []string    // a map's keys
	Vals      []*yamlNode // a map's values, one per key, or a sequence's items
	Line, Col int         // 1-based position in the source, for errors
}

// yamlMaxDepth bounds nesting against hostile files; real ones nest 5 deep.
const yamlMaxDepth = 100

// yamlSyntaxError is the only error parseYAMLText returns. Col counts
// runes, as an editor does.
type yamlSyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *yamlSyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// yamlParser holds one content line at a time; block structure is all
// indentation.
type yamlParser struct {
	rest   string // the lines not read yet
	has    bool   // line is the current content line, not yet consumed
	line   string // without its line ending
	num    int    // line's number
	indent int    // line's leading spaces
	depth  int
	begun  bool // "---" or a content line seen
	ended  bool // "..." seen
}

// parseYAMLText parses one document; empty or comment-only input is (nil, nil).
func parseYAMLText(src string) (*yamlNode, error) {
	p := &yamlParser{rest: strings.TrimPrefix(src, "\uFEFF")}
	ok, err := p.peek()
	if err != nil || !ok {
		return nil, err
	}
	root, err := p.parseNode(p.indent)
	if err != nil {
		return nil, err
	}
	if ok, err = p.peek(); err != nil {
		return nil, err
	} else if !ok {
		return root, nil
	}
	// parseBlock stops at a shallower line, or for a sequence at a
	// non-item line at its own indentation.
	msg := yamlIndentMsg(root)
	if yamlIsBlock(root) && root.Kind == yamlSeq && p.indent == root.Col-1 {
		msg = "expected a sequence item (\"- \") at this indentation"
	} else if yamlIsBlock(root) {
		msg = "bad indentation"
	}
	return nil, p.errAt(p.indent, msg)
}

// peek makes the next content line current, if any, checking each raw line
// it skips (blank, comment, document marker), so errors come in file order.
func (p *yamlParser) peek() (bool, error) {
	for !p.has && p.rest != "" {
		p.line, p.rest, _ = strings.Cut(p.rest, "\n")
		p.num, p.line = p.num+1, strings.TrimSuffix(p.line, "\r")
		s := p.line
		if err := p.checkChars(); err != nil {
			return false, err
		}
		p.indent = len(s) - len(strings.TrimLeft(s, " "))
		var err error
		switch j := yamlSkipBlanks(s, p.indent); {
		case j == len(s) || s[j] == '#':
		case s[p.indent] == '\t':
			err = p.errAt(p.indent, "tab characters cannot be used for indentation; use spaces")
		case yamlIsMarker(s, "---") && (p.begun || p.ended):
			err = p.errAt(0, "multiple documents are not supported (found a second \"---\")")
		case yamlIsMarker(s, "---"):
			p.begun = true
			err = p.onlyComment(3, "content on the \"---\" line is not supported; start it on the next line")
		case yamlIsMarker(s, "..."):
			p.ended = true
			err = p.onlyComment(3, "content after the document end marker \"...\" is not supported")
		case s[0] == '%':
			err = p.errAt(0, "directives (%YAML, %TAG) are not supported")
		case p.ended:
			err = p.errAt(p.indent, "content after the document end marker \"...\" (multiple documents are not supported)")
		default:
			p.begun, p.has = true, true
		}
		if err != nil {
			return false, err
		}
	}
	return p.has, nil
}

// checkChars rejects the characters YAML may not hold.
func (p *yamlParser) checkChars() error {
	for i, r := range p.line {
		switch {
		case r == '\t' || (r >= 0x20 && r < 0x7f):
		case r == 0:
			return p.errAt(i, "NUL bytes are not allowed")
		case r == '\r':
			return p.errAt(i, "carriage return without a line feed is not allowed")
		case r < 0x20 || r == 0x7f:
			return p.errAt(i, fmt.Sprintf("control character U+%04X is not allowed", r))
		case r == utf8.RuneError && !strings.HasPrefix(p.line[i:], "\uFFFD"):
			return p.errAt(i, "invalid UTF-8")
		case (r >= 0x80 && r <= 0x9f && r != 0x85) || r == 0xfffe || r == 0xffff:
			return p.errAt(i, fmt.Sprintf("non-printable character U+%04X is not allowed", r))
		}
	}
	return nil
}

// errAt is a syntax error at byte offset off of the current line.
func (p *yamlParser) errAt(off int, msg string) error {
	return &yamlSyntaxError{Line: p.num, Col: p.colAt(off), Msg: msg}
}

func (p *yamlParser) colAt(off int) int {
	return utf8.RuneCountInString(p.line[:min(off, len(p.line))]) + 1
}

func (p *yamlParser) node(kind yamlKind, plain bool, value string, off int) *yamlNode {
	return &yamlNode{Kind: kind, Plain: plain, Value: value, Line: p.num, Col: p.colAt(off)}
}

// onlyComment fails with msg unless only blanks or a comment follow offset i.
func (p *yamlParser) onlyComment(i int, msg string) error {
	if j := yamlSkipBlanks(p.line, i); j < len(p.line) && (p.line[j] != '#' || j == i) {
		return p.errAt(j, msg)
	}
	return nil
}

// parseNode parses the node at byte offset col; the caller checks the next
// line's indentation.
func (p *yamlParser) parseNode(col int) (*yamlNode, error) {
	if yamlIsSeqItem(p.line, col) {
		return p.parseBlock(col, yamlSeq)
	}
	if _, _, isKey, err := p.scanKey(col); err != nil {
		return nil, err
	} else if isKey {
		return p.parseBlock(col, yamlMap)
	}
	return p.scanValue(col)
}

// yamlIndentMsg explains an over-indented line after prev.
func yamlIndentMsg(prev *yamlNode) string {
	if prev.Kind == yamlScalar && prev.Plain && prev.Value != "" {
		return "bad indentation (multi-line plain scalars are not supported; quote the value on one line)"
	}
	return "bad indentation"
}

// parseBlock parses a block map or sequence whose keys or dashes sit at col.
func (p *yamlParser) parseBlock(col int, kind yamlKind) (*yamlNode, error) {
	if p.depth++; p.depth > yamlMaxDepth {
		return nil, p.errAt(col, fmt.Sprintf("nesting deeper than %d levels is not supported", yamlMaxDepth))
	}
	defer func() { p.depth-- }()
	n := p.node(kind, false, "", col)
	var seen map[string]bool
	for {
		v, err := p.parseEntry(n, col, &seen)
		if err != nil {
			return nil, err
		}
		n.Vals = append(n.Vals, v)
		ok, err := p.peek()
		switch {
		case err != nil:
			return nil, err
		case !ok || p.indent < col:
			return n, nil
		case p.indent > col:
			return nil, p.errAt(p.indent, yamlIndentMsg(v))
		case kind == yamlSeq && !yamlIsSeqItem(p.line, col):
			return n, nil // a key at the same indentation: the caller's map goes on
		}
	}
}

// parseEntry parses a "key: value" of map n (adding the key) or a "- item"
// of sequence n, and returns the value, on this line or below.
func (p *yamlParser) parseEntry(n *yamlNode, col int, seen *map[string]bool) (*yamlNode, error) {
	s, after := p.line, col+1 // past the dash, or the key's colon
	if n.Kind == yamlMap {
		if yamlIsSeqItem(s, col) {
			return nil, p.errAt(col, "expected a map key, found a sequence item")
		}
		key, colon, isKey, err := p.scanKey(col)
		switch {
		case err != nil:
			return nil, err
		case !isKey:
			return nil, p.errAt(col, "expected a map key (\"key: value\")")
		case yamlHasKey(n.Keys, seen, key):
			return nil, p.errAt(col, fmt.Sprintf("duplicate key %q", key))
		}
		n.Keys, after = append(n.Keys, key), colon+1
	}
	j := yamlSkipBlanks(s, after)
	switch tab := strings.IndexByte(s[after:j], '\t'); {
	case j == len(s) || s[j] == '#':
		return p.below(col, n.Kind == yamlMap, p.node(yamlScalar, true, "", after))
	case n.Kind == yamlSeq && tab >= 0:
		return nil, p.errAt(after+tab, "a tab cannot separate \"-\" from the item; use spaces")
	case s[j] == '|':
		return p.scanLiteral(col, j)
	case n.Kind == yamlSeq:
		return p.parseNode(j)
	case yamlIsSeqItem(s, j):
		return nil, p.errAt(j, "a sequence cannot start on the same line as its key; put \"- item\" on the next line")
	}
	return p.scanValue(j)
}

// yamlHasKey reports whether keys holds key, and records it; maps past 16
// keys get a set, so thousands of hosts still read in linear time.
func yamlHasKey(keys []string, seen *map[string]bool, key string) bool {
	if *seen == nil {
		if len(keys) < 16 {
			return slices.Contains(keys, key)
		}
		*seen = make(map[string]bool, 2*len(keys))
		for _, k := range keys {
			(*seen)[k] = true
		}
	}
	dup := (*seen)[key]
	(*seen)[key] = true
	return dup
}

// below parses a value on the lines after its key or dash: a node deeper
// than parent or, after a key (seqSame), a sequence at the key's own
// indentation, as js-yaml writes one. Otherwise it is null.
func (p *yamlParser) below(parent int, seqSame bool, null *yamlNode) (*yamlNode, error) {
	p.has = false
	ok, err := p.peek()
	switch {
	case err != nil:
		return nil, err
	case ok && p.indent > parent:
		return p.parseNode(p.indent)
	case ok && seqSame && p.indent == parent && yamlIsSeqItem(p.line, parent):
		return p.parseBlock(parent, yamlSeq)
	}
	return null, nil
}

// yamlStartMsgs name the features whose indicator begins a node; "?" and
// ":" only when a blank follows.
var yamlStartMsgs = map[byte]string{
	'&': "anchors (&) are not supported", '*': "aliases (*) are not supported", '!': "tags (!) are not supported",
	'|': "a literal block scalar (|) can only be the value of a key or a sequence item",
	'>': "folded block scalars (>) are not supported; use a quoted string",
	'?': "explicit keys (\"? \") are not supported", ':': "missing key before \":\"",
}

// checkStart rejects what cannot begin a plain scalar, naming the feature.
func (p *yamlParser) checkStart(off int) error {
	c := p.line[off]
	msg, ok := yamlStartMsgs[c]
	switch {
	case strings.IndexByte("%@`", c) >= 0:
		msg = fmt.Sprintf("%q cannot start a plain value; quote the value", c)
	case strings.IndexByte(",]}#", c) >= 0:
		msg = fmt.Sprintf("unexpected %q", c)
	case !ok || (c == '?' || c == ':') && !yamlBlankAt(p.line, off+1):
		return nil
	}
	return p.errAt(off, msg)
}

// scanKey looks for a key at off: a quoted or plain scalar followed by ":"
// and a blank. It returns the key and the colon's offset.
func (p *yamlParser) scanKey(off int) (key string, colon int, isKey bool, err error) {
	s := p.line
	if err := p.checkStart(off); err != nil {
		return "", 0, false, err
	}
	switch s[off] {
	case '\'', '"':
		key, end, err := p.scanQuoted(off)
		j := yamlSkipBlanks(s, end)
		return key, j, err == nil && j < len(s) && s[j] == ':' && yamlBlankAt(s, j+1), err
	case '[', '{':
		return "", 0, false, nil
	}
	end, isColon := yamlPlainEnd(s, off)
	return strings.TrimRight(s[off:end], " \t"), end, isColon, nil
}

// scanValue reads the scalar, {} or [] at off; only a comment may follow.
func (p *yamlParser) scanValue(off int) (n *yamlNode, err error) {
	s, end := p.line, 0
	if err := p.checkStart(off); err != nil {
		return nil, err
	}
	switch s[off] {
	case '\'', '"':
		n = p.node(yamlScalar, false, "", off)
		if n.Value, end, err = p.scanQuoted(off); err != nil {
			return nil, err
		}
	case '[', '{':
		kind, closer := yamlSeq, byte(']')
		if s[off] == '{' {
			kind, closer = yamlMap, '}'
		}
		if end = yamlSkipBlanks(s, off+1); end == len(s) || s[end] != closer {
			return nil, p.errAt(off, "flow collections are not supported, only the empty {} and []; write the entries in block style")
		}
		n, end = p.node(kind, false, "", off), end+1
	default:
		var isColon bool
		if end, isColon = yamlPlainEnd(s, off); isColon {
			return nil, p.errAt(end, "unexpected \":\" in a plain value (nested mappings must start on a new line; quote values that contain \": \")")
		}
		n = p.node(yamlScalar, true, strings.TrimRight(s[off:end], " \t"), off)
	}
	if j := yamlSkipBlanks(s, end); j < len(s) && (s[j] != '#' || !yamlIsBlank(s[j-1])) {
		return nil, p.errAt(j, "unexpected text after the value")
	}
	p.has = false
	return n, nil
}

// scanLiteral reads the literal block scalar whose "|" header is at off,
// the value of a key or item at column parent: js-yaml writes a string
// that holds a line break so. Its lines follow, indented deeper: by the
// header's indentation digit, else as the first line that is not empty.
// The header's "-" drops the final line breaks, "+" keeps them all, and
// without either one is kept.
func (p *yamlParser) scanLiteral(parent, off int) (*yamlNode, error) {
	n := p.node(yamlScalar, false, "", off)
	chomp, indent, i := byte(0), 0, off+1
	for ; i < len(p.line) && i < off+3; i++ {
		if c := p.line[i]; (c == '-' || c == '+') && chomp == 0 {
			chomp = c
		} else if c >= '1' && c <= '9' && indent == 0 {
			indent = parent + int(c-'0')
		} else {
			break
		}
	}
	if err := p.onlyComment(i, "unexpected text after the block scalar header \"|\""); err != nil {
		return nil, err
	}
	var lines []string
	for p.rest != "" {
		line, rest, _ := strings.Cut(p.rest, "\n")
		line = strings.TrimSuffix(line, "\r")
		spaces := len(line) - len(strings.TrimLeft(line, " "))
		if spaces < len(line) && indent == 0 {
			indent = max(spaces, parent+1)
		}
		if spaces < len(line) && spaces < indent {
			break // a shallower line ends it
		}
		p.line, p.rest, p.num = line, rest, p.num+1
		if err := p.checkChars(); err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	if indent == 0 { // no line with text
		indent = parent + 1
	}
	for k, l := range lines {
		lines[k] = l[min(indent, len(l)):]
	}
	body := lines
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
	}
	switch {
	case chomp == '+' && len(lines) > 0:
		n.Value = strings.Join(lines, "\n") + "\n"
	case chomp == 0 && len(body) > 0:
		n.Value = strings.Join(body, "\n") + "\n"
	default:
		n.Value = strings.Join(body, "\n")
	}
	p.has = false
	return n, nil
}

// yamlPlainEnd finds where a plain scalar at off ends: at ": " (isColon),
// at " #" or at the end of the line, trailing blanks included.
func yamlPlainEnd(s string, off int) (end int, isColon bool) {
	for i := off; i < len(s); i++ {
		switch {
		case s[i] == ':' && yamlBlankAt(s, i+1):
			return i, true
		case s[i] == '#' && i > off && yamlIsBlank(s[i-1]):
			return i, false
		}
	}
	return len(s), false
}

// scanQuoted reads the quoted scalar at off; it returns the text and the
// offset past the closing quote.
func (p *yamlParser) scanQuoted(off int) (string, int, error) {
	s, q := p.line, p.line[off]
	var b strings.Builder
	start := off + 1
	for i := start; i < len(s); {
		switch {
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'': // '' is one quote
			b.WriteString(s[start : i+1])
			i, start = i+2, i+2
		case s[i] == q:
			b.WriteString(s[start:i])
			return b.String(), i + 1, nil
		case s[i] == '\\' && q == '"' && i+1 < len(s): // at the end: unterminated
			b.WriteString(s[start:i])
			n, err := p.unescape(&b, i)
			if err != nil {
				return "", 0, err
			}
			i, start = i+n, i+n
		default:
			i++
		}
	}
	kind := map[byte]string{'\'': "single", '"': "double"}[q]
	return "", 0, p.errAt(off, "unterminated "+kind+"-quoted string (multi-line quoted strings are not supported)")
}

var yamlEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n",
	'v': "\v", 'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"",
	'/': "/", '\\': "\\", 'N': "\u0085", '_': "\u00a0", 'L': "\u2028",
	'P': "\u2029",
}

// unescape decodes the escape at off into b and returns its length. Two \u
// escapes forming a UTF-16 surrogate pair are joined, as in JSON.
func (p *yamlParser) unescape(b *strings.Builder, off int) (int, error) {
	s, c := p.line, p.line[off+1]
	if e, ok := yamlEscapes[c]; ok {
		b.WriteString(e)
		return 2, nil
	}
	n := 2 + map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
	if n == 2 {
		r, _ := utf8.DecodeRuneInString(s[off+1:])
		return 0, p.errAt(off, fmt.Sprintf("unknown escape sequence \\%c", r))
	}
	r := yamlHex(s, off+2, n-2)
	if r < 0 {
		return 0, p.errAt(off, "invalid hexadecimal escape sequence")
	}
	if lo := yamlHex(s, off+n+2, 4); c == 'u' && r >= 0xd800 && r < 0xdc00 && strings.HasPrefix(s[off+n:], "\\u") && lo >= 0xdc00 && lo < 0xe000 {
		r, n = 0x10000+(r-0xd800)<<10+(lo-0xdc00), n+6
	}
	if r > utf8.MaxRune || !utf8.ValidRune(rune(r)) {
		return 0, p.errAt(off, fmt.Sprintf("escape sequence is not a valid Unicode character (U+%04X)", r))
	}
	b.WriteRune(rune(r))
	return n, nil
}

// yamlHex decodes the digits hex digits at s[off:], or returns -1. It is
// an int64 so that \U escapes of 80000000 and above stay positive.
func yamlHex(s string, off, digits int) int64 {
	if v, err := strconv.ParseUint(s[min(off, len(s)):min(off+digits, len(s))], 16, 32); err == nil && off+digits <= len(s) {
		return int64(v)
	}
	return -1
}

func yamlIsBlank(c byte) bool { return c == ' ' || c == '\t' }

// yamlBlankAt reports whether s has a blank or its end at i.
func yamlBlankAt(s string, i int) bool { return i >= len(s) || yamlIsBlank(s[i]) }

func yamlSkipBlanks(s string, i int) int { return len(s) - len(strings.TrimLeft(s[i:], " \t")) }

func yamlIsSeqItem(s string, col int) bool {
	return col < len(s) && s[col] == '-' && yamlBlankAt(s, col+1)
}

func yamlIsMarker(s, m string) bool { return strings.HasPrefix(s, m) && yamlBlankAt(s, len(m)) }

// marshalYAML renders n laid out as js-yaml's dump (indent 2, no folding),
// so the official client's files come back byte for byte.
func marshalYAML(n *yamlNode) []byte {
	if yamlIsBlock(n) {
		return yamlAppendBlock(nil, n, 0, false)
	}
	t := yamlInline(n)
	if n != nil && n.Plain && (strings.HasPrefix(t, "---") || strings.HasPrefix(t, "...")) {
		t = " " + t // at column 0 it would be a document marker
	}
	return []byte(t + "\n")
}

// yamlIsBlock reports whether n is a non-empty map or sequence.
func yamlIsBlock(n *yamlNode) bool {
	return n != nil && n.Kind != yamlScalar && len(n.Vals) > 0
}

// yamlAppendBlock writes block n at indent; inline: the first entry goes
// on a line already holding "- ". As in js-yaml, a map's block value starts
// on the next line, a sequence item's on the dash's line.
func yamlAppendBlock(b []byte, n *yamlNode, indent int, inline bool) []byte {
	for i, v := range n.Vals {
		if i > 0 || !inline {
			b = append(b, strings.Repeat(" ", indent)...)
		}
		if n.Kind == yamlMap {
			b = append(append(b, yamlQuote(n.Keys[i])...), ':')
		} else {
			b = append(b, '-')
		}
		switch {
		case !yamlIsBlock(v):
			b = append(append(append(b, ' '), yamlInline(v)...), '\n')
		case n.Kind == yamlMap:
			b = yamlAppendBlock(append(b, '\n'), v, indent+2, false)
		default:
			b = yamlAppendBlock(append(b, ' '), v, indent+2, true)
		}
	}
	return b
}

// yamlInline is the one-line form of an empty collection or a scalar; a
// plain scalar stays bare unless it would not read back the same.
func yamlInline(n *yamlNode) string {
	switch {
	case n == nil:
		return "null"
	case n.Kind == yamlMap:
		return "{}"
	case n.Kind == yamlSeq:
		return "[]"
	case n.Plain && n.Value == "":
		return "null"
	case n.Plain && yamlPlainSafe(n.Value):
		return n.Value
	}
	return yamlQuote(n.Value)
}

// yamlPlainSafe reports whether s reads back as the same plain scalar by
// the reader's rules (not yamlQuote's stricter ones), so a plain `-3` or
// `:x` from a file is written back unchanged. Invisible and control
// characters but an inner tab (a YAML 1.1 timestamp separator) are escaped
// anyway: a leading U+FEFF would read as a BOM, and raw bidi controls go.
func yamlPlainSafe(s string) bool {
	if s == "" || yamlIsBlank(s[0]) || yamlIsBlank(s[len(s)-1]) || yamlIsSeqItem(s, 0) || strings.IndexByte("'\"[{", s[0]) >= 0 ||
		!utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return r != '\t' && needsEscape(r) }) >= 0 {
		return false
	}
	end, isColon := yamlPlainEnd(s, 0)
	return end == len(s) && !isColon && (&yamlParser{line: s}).checkStart(0) == nil
}

// yamlQuote returns s as a scalar that reads back as s: bare when
// unambiguous (as js-yaml leaves `127.0.0.1:5001`), single-quoted when
// printable, else double-quoted. Invalid UTF-8 becomes U+FFFD.
func yamlQuote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	switch {
	case strings.IndexFunc(s, needsEscape) >= 0:
		return yamlDoubleQuote(s)
	case yamlIsPlainString(s):
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// yamlQuoteEscapes are the short escapes js-yaml writes; others get \x, \u, \U.
var yamlQuoteEscapes = map[rune]string{
	'"': `\"`, '\\': `\\`, 0: `\0`, '\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`,
	'\v': `\v`, '\f': `\f`, '\r': `\r`, 0x1b: `\e`, 0x85: `\N`, 0x2028: `\L`, 0x2029: `\P`,
}

func yamlDoubleQuote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		e, short := yamlQuoteEscapes[r]
		switch {
		case short:
			b = append(b, e...)
		case !needsEscape(r):
			b = utf8.AppendRune(b, r)
		case r <= 0xff:
			b = fmt.Appendf(b, `\x%02X`, r)
		case r <= 0xffff:
			b = fmt.Appendf(b, `\u%04X`, r)
		default:
			b = fmt.Appendf(b, `\U%08X`, r)
		}
	}
	return string(append(b, '"'))
}

// yamlIsPlainString reports whether printable s can be written bare for
// any reader: stricter than YAML needs, but hosts, emails, URLs and names
// stay bare, as js-yaml leaves them.
func yamlIsPlainString(s string) bool {
	return s != "" && s[0] != ' ' && s[len(s)-1] != ' ' && s[len(s)-1] != ':' &&
		strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", s[0]) < 0 && !strings.HasPrefix(s, "...") &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !yamlLooksTyped(s)
}

// yamlTyped matches what a YAML 1.1 or 1.2 reader (js-yaml, PyYAML, Go
// yaml.v2/v3) could read as not a string: null, booleans, merge keys,
// generously any number, and a timestamp's start. Compiled on first use, so
// commands that write no YAML never pay for it.
var yamlTyped = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?i:~|null|true|false|yes|no|on|off|y|n|<<|=)$|` +
		`^[-+]?(?:\.(?i:inf|nan)|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|` +
		`(?:[0-9_]*[0-9][0-9_]*(?::[0-9_]*)*(?:\.[0-9_]*)?|_*\.[0-9_]*[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?)$|` +
		`^[0-9]{4}-[0-9]`)
})

// yamlLooksTyped reports whether plain s could be read as other than a
// string. Most strings (hosts, emails) fail the first-byte test.
func yamlLooksTyped(s string) bool {
	return s != "" && strings.IndexByte("~<=nNtTfFyYoO+-._0123456789", s[0]) >= 0 && yamlTyped().MatchString(s)
}

// index is key's position in map n; -1 if absent or n is not a map.
func (n *yamlNode) index(key string) int {
	if n == nil || n.Kind != yamlMap {
		return -1
	}
	return slices.Index(n.Keys, key)
}

// get returns the value under key, or nil if absent or n is not a map.
func (n *yamlNode) get(key string) *yamlNode {
	if i := n.index(key); i >= 0 {
		return n.Vals[i]
	}
	return nil
}

// set replaces the value under key in place, keeping the order, or appends
// it. A non-map (the null of `hosts:`) becomes an empty map first.
func (n *yamlNode) set(key string, v *yamlNode) {
	if n == nil {
		return
	}
	if n.Kind != yamlMap {
		*n = yamlNode{Kind: yamlMap, Line: n.Line, Col: n.Col}
	}
	if i := n.index(key); i >= 0 {
		n.Vals[i] = v
	} else {
		n.Keys, n.Vals = append(n.Keys, key), append(n.Vals, v)
	}
}

// del removes key from a map; absent keys and non-maps are left alone.
func (n *yamlNode) del(key string) {
	if i := n.index(key); i >= 0 {
		n.Keys, n.Vals = slices.Delete(n.Keys, i, i+1), slices.Delete(n.Vals, i, i+1)
	}
}

// yamlString is a string scalar; the writer quotes it when needed.
func yamlString(s string) *yamlNode { return &yamlNode{Kind: yamlScalar, Value: s} }

// yamlBool is a boolean scalar, written bare.
func yamlBool(b bool) *yamlNode {
	return &yamlNode{Kind: yamlScalar, Value: strconv.FormatBool(b), Plain: true}
}

func yamlNewMap() *yamlNode { return &yamlNode{Kind: yamlMap} }

// isNull reports whether n is absent or a YAML null, so `key:` and a
// missing key read the same.
func (n *yamlNode) isNull() bool {
	return n == nil || n.Kind == yamlScalar && n.Plain && slices.Contains([]string{"", "~", "null", "Null", "NULL"}, n.Value)
}

// str returns a scalar's text; "" for null, nil and collections.
func (n *yamlNode) str() string {
	if n.isNull() || n.Kind != yamlScalar {
		return ""
	}
	return n.Value
}
