package main

// yaml.go: the YAML subset that hosts.yml, tokens.yml and `auth list -o yaml`
// need, which is what our writer and the official client's js-yaml write:
// block mappings and sequences, plain and quoted one-line scalars, the empty
// collections {} and [], and comments. Everything else (flow collections with
// entries, block scalars, anchors, aliases, tags, several documents, tabs as
// indentation) is an error naming its line and column: a file we cannot
// fully understand is never silently misread, and so never rewritten wrong.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// yamlKind says what a yamlNode holds.
type yamlKind int

const (
	yamlScalar yamlKind = iota
	yamlMap
	yamlSeq
)

// yamlNode is one value of a parsed document. Maps keep key order so a file
// is rewritten in the order it was read, unknown keys included.
type yamlNode struct {
	Kind yamlKind
	// Value is the decoded text of a scalar.
	Value string
	// Plain marks a scalar that was unquoted in the source (so `~`, `null`,
	// empty, `true`, `12` keep their YAML meaning) or that the writer must
	// emit verbatim (booleans such as `active: true`). Strings set by the
	// program leave it false and the writer quotes them when needed.
	Plain bool
	// Keys and Vals are a map's entries in order; Vals alone are a
	// sequence's items.
	Keys []string
	Vals []*yamlNode
	// Line and Col (1-based) locate the node in the source, for errors.
	Line, Col int
}

// yamlMaxDepth bounds nesting so a hostile file cannot exhaust the stack;
// real files nest five levels deep.
const yamlMaxDepth = 100

// yamlSyntaxError is the only error parseYAMLText returns. Line and Col are
// 1-based; Col counts characters (runes), not bytes, so it matches what an
// editor shows.
type yamlSyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *yamlSyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// yamlParser reads the source one line at a time: block structure is decided
// by indentation, so the parser holds one content line (peek skips blank
// lines, comments and document markers) and parses the nodes that start at a
// byte offset in it.
type yamlParser struct {
	rest    string // the raw lines not read yet
	nextNum int    // the line number of the first of them

	has    bool   // line is the current content line, not yet consumed
	line   string // without its line ending
	num    int
	indent int // leading spaces

	started, content, ended bool // "---" seen, a content line seen, "..." seen
	depth                   int
}

// parseYAMLText parses one document. Empty or comment-only input returns
// (nil, nil).
func parseYAMLText(src string) (*yamlNode, error) {
	p := &yamlParser{rest: strings.TrimPrefix(src, "\uFEFF"), nextNum: 1}
	ok, err := p.peek()
	if err != nil || !ok {
		return nil, err
	}
	root, err := p.parseNode(p.indent, -1)
	if err != nil {
		return nil, err
	}
	if ok, err = p.peek(); err != nil || !ok {
		return root, err
	}
	switch {
	case p.indent < root.Col-1:
		return nil, p.errAt(p.indent, "bad indentation")
	case root.Kind == yamlSeq:
		return nil, p.errAt(p.indent, "expected a sequence item (\"- \") at this indentation")
	}
	return nil, p.errAt(p.indent, "unexpected content after the document's top-level value")
}

// peek makes the next content line current, if there is one. Every raw line
// is checked on the way, so errors come out in file order.
func (p *yamlParser) peek() (bool, error) {
	for !p.has && p.rest != "" {
		raw, rest, _ := strings.Cut(p.rest, "\n")
		p.rest, p.num = rest, p.nextNum
		p.nextNum++
		p.line = strings.TrimSuffix(raw, "\r")
		if err := p.classify(); err != nil {
			return false, err
		}
	}
	return p.has, nil
}

// classify checks the raw line p.line and makes it current unless it is
// blank, a comment or a document marker.
func (p *yamlParser) classify() error {
	s := p.line
	if err := p.checkChars(); err != nil {
		return err
	}
	p.indent = 0
	for p.indent < len(s) && s[p.indent] == ' ' {
		p.indent++
	}
	if j := yamlSkipBlanks(s, p.indent); j == len(s) || s[j] == '#' {
		return nil
	}
	switch {
	case s[p.indent] == '\t':
		return p.errAt(p.indent, "tab characters cannot be used for indentation; use spaces")
	case yamlIsMarker(s, "---"):
		if p.started || p.content || p.ended {
			return p.errAt(0, "multiple documents are not supported (found a second \"---\")")
		}
		p.started = true
		return p.onlyComment(3, "content on the \"---\" line is not supported; start it on the next line")
	case yamlIsMarker(s, "..."):
		p.ended = true
		return p.onlyComment(3, "content after the document end marker \"...\" is not supported")
	case s[0] == '%':
		return p.errAt(0, "directives (%YAML, %TAG) are not supported")
	case p.ended:
		return p.errAt(p.indent, "content after the document end marker \"...\" (multiple documents are not supported)")
	}
	p.content, p.has = true, true
	return nil
}

// checkChars rejects what a YAML stream may not contain: NUL and other
// control characters, lone carriage returns, invalid UTF-8 and the
// non-characters U+FFFE/U+FFFF.
func (p *yamlParser) checkChars() error {
	for i, r := range p.line {
		msg := ""
		switch {
		case r == '\t' || (r >= 0x20 && r < 0x7f):
			continue
		case r == 0:
			msg = "NUL bytes are not allowed"
		case r == '\r':
			msg = "carriage return without a line feed is not allowed"
		case r < 0x20 || r == 0x7f:
			msg = fmt.Sprintf("control character U+%04X is not allowed", r)
		case r == utf8.RuneError && !strings.HasPrefix(p.line[i:], "\uFFFD"):
			msg = "invalid UTF-8"
		case (r >= 0x80 && r <= 0x9f && r != 0x85) || r == 0xfffe || r == 0xffff:
			msg = fmt.Sprintf("non-printable character U+%04X is not allowed", r)
		default:
			continue
		}
		return p.errAt(i, msg)
	}
	return nil
}

// errAt is a syntax error at byte offset off of the current line.
func (p *yamlParser) errAt(off int, msg string) error {
	return &yamlSyntaxError{Line: p.num, Col: p.colAt(off), Msg: msg}
}

// colAt is the 1-based rune column of byte offset off in the current line.
func (p *yamlParser) colAt(off int) int {
	return utf8.RuneCountInString(p.line[:min(off, len(p.line))]) + 1
}

func (p *yamlParser) node(kind yamlKind, plain bool, value string, off int) *yamlNode {
	return &yamlNode{Kind: kind, Plain: plain, Value: value, Line: p.num, Col: p.colAt(off)}
}

// onlyComment accepts only blanks or a comment from offset i on, consumes
// the line, and otherwise fails with msg at the first other character.
func (p *yamlParser) onlyComment(i int, msg string) error {
	j := yamlSkipBlanks(p.line, i)
	if j < len(p.line) && (p.line[j] != '#' || j == i) {
		return p.errAt(j, msg)
	}
	p.has = false
	return nil
}

// enter counts one level of nesting for a collection starting at off.
func (p *yamlParser) enter(off int) error {
	if p.depth++; p.depth > yamlMaxDepth {
		return p.errAt(off, fmt.Sprintf("nesting deeper than %d levels is not supported", yamlMaxDepth))
	}
	return nil
}

// parseNode parses the node that starts at byte offset col of the current
// line; parent is the indentation of the enclosing collection (-1 at the
// top), which the lines after a scalar must not exceed.
func (p *yamlParser) parseNode(col, parent int) (*yamlNode, error) {
	if yamlIsSeqItem(p.line, col) {
		return p.parseSeq(col)
	}
	if err := p.checkStart(col); err != nil {
		return nil, err
	}
	_, _, isKey, err := p.scanKey(col)
	if err != nil {
		return nil, err
	}
	if isKey {
		return p.parseMap(col)
	}
	n, err := p.scanValue(col)
	if err != nil {
		return nil, err
	}
	ok, err := p.peek()
	if err != nil {
		return nil, err
	}
	if ok && p.indent > parent {
		return nil, p.errAt(p.indent, yamlIndentMsg(n))
	}
	return n, nil
}

// yamlIndentMsg explains an over-indented line; after a plain scalar it is
// most likely a multi-line plain scalar, which this reader does not support.
func yamlIndentMsg(prev *yamlNode) string {
	if prev.Kind == yamlScalar && prev.Plain && prev.Value != "" {
		return "bad indentation (multi-line plain scalars are not supported; quote the value on one line)"
	}
	return "bad indentation"
}

// parseMap parses a block mapping whose keys sit at byte offset col.
func (p *yamlParser) parseMap(col int) (*yamlNode, error) {
	if err := p.enter(col); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	m := p.node(yamlMap, false, "", col)
	var seen map[string]bool
	for {
		if yamlIsSeqItem(p.line, col) {
			return nil, p.errAt(col, "expected a map key, found a sequence item")
		}
		if err := p.checkStart(col); err != nil {
			return nil, err
		}
		key, colon, isKey, err := p.scanKey(col)
		if err != nil {
			return nil, err
		}
		if !isKey {
			return nil, p.errAt(col, "expected a map key (\"key: value\")")
		}
		if yamlHasKey(m.Keys, &seen, key) {
			return nil, p.errAt(col, fmt.Sprintf("duplicate key %q", key))
		}
		v, err := p.parseValue(col, colon)
		if err != nil {
			return nil, err
		}
		m.Keys, m.Vals = append(m.Keys, key), append(m.Vals, v)
		ok, err := p.peek()
		switch {
		case err != nil:
			return nil, err
		case !ok || p.indent < col:
			return m, nil
		case p.indent > col:
			return nil, p.errAt(p.indent, yamlIndentMsg(v))
		}
	}
}

// yamlHasKey reports whether keys (a map's keys so far) holds key, and
// records it. Small maps are scanned; larger ones get a set, so a file with
// thousands of hosts is still read in linear time.
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

// parseValue parses what follows "key:" (colon is the colon's offset) in a
// map whose keys sit at col: a value on the same line, or a block below.
func (p *yamlParser) parseValue(col, colon int) (*yamlNode, error) {
	s := p.line
	j := yamlSkipBlanks(s, colon+1)
	if j == len(s) || s[j] == '#' {
		return p.below(col, true, p.node(yamlScalar, true, "", colon+1))
	}
	if yamlIsSeqItem(s, j) {
		return nil, p.errAt(j, "a sequence cannot start on the same line as its key; put \"- item\" on the next line")
	}
	if err := p.checkStart(j); err != nil {
		return nil, err
	}
	return p.scanValue(j)
}

// below parses a value that starts on the line after its key or dash: a
// node indented deeper than parent or, after a key (seqSame), a sequence at
// the key's own indentation, as js-yaml writes one. Otherwise the value is
// null, the given node located at the end of the key's or dash's line.
func (p *yamlParser) below(parent int, seqSame bool, null *yamlNode) (*yamlNode, error) {
	p.has = false
	ok, err := p.peek()
	switch {
	case err != nil:
		return nil, err
	case ok && p.indent > parent:
		return p.parseNode(p.indent, parent)
	case ok && seqSame && p.indent == parent && yamlIsSeqItem(p.line, parent):
		return p.parseSeq(parent)
	}
	return null, nil
}

// parseSeq parses a block sequence whose dashes sit at byte offset col.
func (p *yamlParser) parseSeq(col int) (*yamlNode, error) {
	if err := p.enter(col); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := p.node(yamlSeq, false, "", col)
	for {
		s, j := p.line, col+1
		for j < len(s) && yamlIsBlank(s[j]) {
			j++
		}
		var item *yamlNode
		var err error
		switch tab := strings.IndexByte(s[col+1:j], '\t'); {
		case j == len(s) || s[j] == '#':
			item, err = p.below(col, false, p.node(yamlScalar, true, "", col+1))
		case tab >= 0:
			err = p.errAt(col+1+tab, "a tab cannot separate \"-\" from the item; use spaces")
		default:
			item, err = p.parseNode(j, col)
		}
		if err != nil {
			return nil, err
		}
		n.Vals = append(n.Vals, item)
		ok, err := p.peek()
		switch {
		case err != nil:
			return nil, err
		case !ok || p.indent < col:
			return n, nil
		case p.indent > col:
			return nil, p.errAt(p.indent, yamlIndentMsg(item))
		case !yamlIsSeqItem(p.line, col):
			return n, nil // a key at the same indentation: the caller's map goes on
		}
	}
}

// checkStart rejects the characters that cannot begin a plain scalar, with a
// message naming the unsupported feature they introduce.
func (p *yamlParser) checkStart(off int) error {
	s := p.line
	msg := ""
	switch c := s[off]; c {
	case '&':
		msg = "anchors (&) are not supported"
	case '*':
		msg = "aliases (*) are not supported"
	case '!':
		msg = "tags (!) are not supported"
	case '|', '>':
		msg = "block scalars (| and >) are not supported; use a quoted string"
	case '%', '@', '`':
		msg = fmt.Sprintf("%q cannot start a plain value; quote the value", c)
	case ',', ']', '}', '#':
		msg = fmt.Sprintf("unexpected %q", c)
	case '?':
		if yamlBlankAt(s, off+1) {
			msg = "explicit keys (\"? \") are not supported"
		}
	case ':':
		if yamlBlankAt(s, off+1) {
			msg = "missing key before \":\""
		}
	}
	if msg != "" {
		return p.errAt(off, msg)
	}
	return nil
}

// scanKey looks for a mapping key at off: a quoted or plain scalar followed
// by ":" and a blank. It returns the key and the colon's offset.
func (p *yamlParser) scanKey(off int) (key string, colon int, isKey bool, err error) {
	s := p.line
	switch s[off] {
	case '\'', '"':
		key, end, err := p.scanQuoted(off)
		if err != nil {
			return "", 0, false, err
		}
		j := yamlSkipBlanks(s, end)
		return key, j, j < len(s) && s[j] == ':' && yamlBlankAt(s, j+1), nil
	case '[', '{':
		return "", 0, false, nil
	}
	end, isColon := yamlPlainEnd(s, off)
	return yamlTrimBlanks(s[off:end]), end, isColon, nil
}

// scanValue reads the scalar, {} or [] at off and the rest of the line,
// which may hold only a comment.
func (p *yamlParser) scanValue(off int) (*yamlNode, error) {
	s := p.line
	var n *yamlNode
	end := 0
	switch s[off] {
	case '\'', '"':
		n = p.node(yamlScalar, false, "", off)
		var err error
		if n.Value, end, err = p.scanQuoted(off); err != nil {
			return nil, err
		}
	case '[', '{':
		closer, kind := byte(']'), yamlSeq
		if s[off] == '{' {
			closer, kind = '}', yamlMap
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
		n = p.node(yamlScalar, true, yamlTrimBlanks(s[off:end]), off)
	}
	if j := yamlSkipBlanks(s, end); j < len(s) && (s[j] != '#' || !yamlIsBlank(s[j-1])) {
		return nil, p.errAt(j, "unexpected text after the value")
	}
	p.has = false
	return n, nil
}

// yamlPlainEnd finds where a plain scalar starting at off ends: at ": " (a
// mapping indicator, reported by isColon), at " #" (a comment) or at the end
// of the line. The result still includes trailing blanks.
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

// scanQuoted reads the one-line quoted scalar at off and returns its text
// and the offset just past the closing quote.
func (p *yamlParser) scanQuoted(off int) (string, int, error) {
	s := p.line
	q := s[off]
	var b strings.Builder
	start := off + 1
	for i := start; i < len(s); {
		switch {
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'': // '' is one quote
			b.WriteString(s[start : i+1])
			i += 2
			start = i
		case s[i] == q:
			b.WriteString(s[start:i])
			return b.String(), i + 1, nil
		case s[i] == '\\' && q == '"' && i+1 < len(s): // at the end, unterminated
			b.WriteString(s[start:i])
			n, err := p.unescape(&b, i)
			if err != nil {
				return "", 0, err
			}
			i += n
			start = i
		default:
			i++
		}
	}
	kind := "double"
	if q == '\'' {
		kind = "single"
	}
	return "", 0, p.errAt(off, "unterminated "+kind+"-quoted string (multi-line quoted strings are not supported)")
}

// yamlEscapes maps the one-letter escapes of double-quoted scalars.
var yamlEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n",
	'v': "\v", 'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"",
	'/': "/", '\\': "\\", 'N': "\u0085", '_': "\u00a0", 'L': "\u2028",
	'P': "\u2029",
}

// unescape decodes the escape at off (the backslash, not the line's last
// byte) into b and returns its length. A UTF-16 surrogate pair written as
// two \u escapes is joined, as JSON does.
func (p *yamlParser) unescape(b *strings.Builder, off int) (int, error) {
	s, c := p.line, p.line[off+1]
	if e, ok := yamlEscapes[c]; ok {
		b.WriteString(e)
		return 2, nil
	}
	n := 2
	switch c {
	case 'x':
		n += 2
	case 'u':
		n += 4
	case 'U':
		n += 8
	default:
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
	if !utf8.ValidRune(r) {
		return 0, p.errAt(off, fmt.Sprintf("escape sequence is not a valid Unicode character (U+%04X)", r))
	}
	b.WriteRune(r)
	return n, nil
}

// yamlHex decodes the digits hex digits at s[off:], or returns -1.
func yamlHex(s string, off, digits int) rune {
	if off+digits > len(s) {
		return -1
	}
	v, err := strconv.ParseUint(s[off:off+digits], 16, 32)
	if err != nil {
		return -1
	}
	return rune(v)
}

func yamlIsBlank(c byte) bool { return c == ' ' || c == '\t' }

// yamlBlankAt reports whether s has a blank or its end at i.
func yamlBlankAt(s string, i int) bool { return i >= len(s) || yamlIsBlank(s[i]) }

func yamlSkipBlanks(s string, i int) int {
	for i < len(s) && yamlIsBlank(s[i]) {
		i++
	}
	return i
}

func yamlTrimBlanks(s string) string { return strings.TrimRight(s, " \t") }

func yamlIsSeqItem(s string, col int) bool {
	return col < len(s) && s[col] == '-' && yamlBlankAt(s, col+1)
}

func yamlIsMarker(raw, m string) bool {
	return strings.HasPrefix(raw, m) && yamlBlankAt(raw, len(m))
}

// marshalYAML renders a node as a block-style document ending in "\n", laid
// out as js-yaml's dump (indent 2, no line folding) lays it out, so files the
// official client wrote come back byte for byte. A nil node is "null".
func marshalYAML(n *yamlNode) []byte {
	var b []byte
	switch {
	case n != nil && n.Kind == yamlMap && len(n.Keys) > 0:
		b = yamlAppendMap(b, n, 0, false)
	case n != nil && n.Kind == yamlSeq && len(n.Vals) > 0:
		b = yamlAppendSeq(b, n, 0, false)
	default:
		t := yamlInline(n)
		if n != nil && n.Kind == yamlScalar && n.Plain && (strings.HasPrefix(t, "---") || strings.HasPrefix(t, "...")) {
			t = " " + t // at column 0 this would be a document marker
		}
		b = append(append(b, t...), '\n')
	}
	return b
}

// yamlAppendMap writes a non-empty map's entries at indent; inline means the
// first key continues a line already started (after "- ").
func yamlAppendMap(b []byte, n *yamlNode, indent int, inline bool) []byte {
	for i, k := range n.Keys {
		if i > 0 || !inline {
			b = yamlAppendIndent(b, indent)
		}
		b = append(b, yamlQuote(k)...)
		b = append(b, ':')
		var v *yamlNode
		if i < len(n.Vals) {
			v = n.Vals[i]
		}
		switch {
		case v != nil && v.Kind == yamlMap && len(v.Keys) > 0:
			b = yamlAppendMap(append(b, '\n'), v, indent+2, false)
		case v != nil && v.Kind == yamlSeq && len(v.Vals) > 0:
			// js-yaml indents a sequence under its key.
			b = yamlAppendSeq(append(b, '\n'), v, indent+2, false)
		default:
			b = append(append(append(b, ' '), yamlInline(v)...), '\n')
		}
	}
	return b
}

// yamlAppendSeq writes a non-empty sequence's items at indent; a map or
// sequence item starts on the dash's line, as js-yaml writes it.
func yamlAppendSeq(b []byte, n *yamlNode, indent int, inline bool) []byte {
	for i, v := range n.Vals {
		if i > 0 || !inline {
			b = yamlAppendIndent(b, indent)
		}
		b = append(b, '-', ' ')
		switch {
		case v != nil && v.Kind == yamlMap && len(v.Keys) > 0:
			b = yamlAppendMap(b, v, indent+2, true)
		case v != nil && v.Kind == yamlSeq && len(v.Vals) > 0:
			b = yamlAppendSeq(b, v, indent+2, true)
		default:
			b = append(append(b, yamlInline(v)...), '\n')
		}
	}
	return b
}

func yamlAppendIndent(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// yamlInline is the one-line form of an empty collection or a scalar.
// Plain scalars are written verbatim (an empty one as null) unless the text
// would break the document, in which case it is quoted: a malformed Plain
// value then reads back as a string rather than corrupting the file.
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

// yamlPlainSafe reports whether s reads back as the same plain scalar in any
// block position: the reader's rules, not yamlQuote's stricter choice, so a
// plain `-3` or `:x` read from a file is written back unchanged.
func yamlPlainSafe(s string) bool {
	if s == "" || yamlIsBlank(s[0]) || yamlIsBlank(s[len(s)-1]) || s[len(s)-1] == ':' {
		return false
	}
	switch s[0] {
	case '&', '*', '!', '|', '>', '%', '@', '`', ',', '[', ']', '{', '}', '#', '\'', '"':
		return false
	case '-', '?', ':':
		if yamlBlankAt(s, 1) {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':' && yamlIsBlank(s[i+1]): // i+1 exists: s does not end in ':'
			return false
		case c == '#' && i > 0 && yamlIsBlank(s[i-1]):
			return false
		}
	}
	// Invisible and control characters are escaped even here: a leading
	// U+FEFF would read back as a byte order mark, and the file stays free
	// of raw bidi controls whatever it held before. An inner tab stays, as
	// it may be part of a typed value (a YAML 1.1 timestamp separator).
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r != '\t' && needsEscape(r) }) < 0
}

// yamlQuote returns s as a scalar that reads back as exactly s: plain when
// that is unambiguous (as js-yaml leaves `127.0.0.1:5001` or
// `https://issuer.example` bare), single-quoted when s has only printable
// characters, double-quoted with escapes otherwise. Null, boolean, number and
// timestamp look-alikes of YAML 1.1 and 1.2 are always quoted, so any reader
// sees a string. Invalid UTF-8 cannot be represented in YAML: each invalid
// byte sequence is replaced by U+FFFD, so the output still parses (the
// round-trip property holds for valid UTF-8 only).
func yamlQuote(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, needsEscape) >= 0 {
		return yamlDoubleQuote(s)
	}
	if yamlIsPlainString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// yamlQuoteEscapes are the short escapes yamlDoubleQuote writes, as
// js-yaml writes them; other characters that need one get \x, \u or \U.
var yamlQuoteEscapes = map[rune]string{
	'"': `\"`, '\\': `\\`, 0: `\0`, '\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`,
	'\v': `\v`, '\f': `\f`, '\r': `\r`, 0x1b: `\e`, 0x85: `\N`, 0x2028: `\L`, 0x2029: `\P`,
}

// yamlDoubleQuote writes s in double quotes with js-yaml's escapes.
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

// yamlIsPlainString reports whether printable s can be written bare and
// still read back as the string s. It is deliberately stricter than YAML
// requires (any leading indicator quotes), but keeps hosts, emails, URLs and
// names bare as js-yaml does.
func yamlIsPlainString(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", s[0]) >= 0 {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasPrefix(s, "...") {
		return false
	}
	return !yamlLooksTyped(s)
}

// yamlLooksTyped reports whether a plain s could be read as something other
// than a string by a YAML 1.1 or 1.2 reader (js-yaml, PyYAML, Go yaml.v2/v3):
// null, booleans (yes/no/on/off/y/n too), numbers, timestamps, merge keys.
func yamlLooksTyped(s string) bool {
	if len(s) <= 5 {
		switch strings.ToLower(s) {
		case "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=":
			return true
		}
	}
	return yamlLooksNumber(s) || yamlLooksDate(s)
}

// yamlLooksNumber matches, generously, the int and float forms of YAML 1.1
// and 1.2: signs, 0x/0o/0b prefixes, underscores, sexagesimal, exponents,
// .inf and .nan.
func yamlLooksNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if low := strings.ToLower(s); low == ".inf" || low == ".nan" {
		return true
	}
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			return yamlAllIn(s[2:], "0123456789abcdefABCDEF_")
		case 'o', 'O':
			return yamlAllIn(s[2:], "01234567_")
		case 'b', 'B':
			return yamlAllIn(s[2:], "01_")
		}
	}
	i, digits := 0, 0
	scan := func() {
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			if s[i] != '_' {
				digits++
			}
			i++
		}
	}
	scan()
	for digits > 0 && i < len(s) && s[i] == ':' { // sexagesimal 1:30
		i++
		scan()
	}
	if i < len(s) && s[i] == '.' {
		i++
		scan()
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// yamlLooksDate matches the start of a YAML 1.1 timestamp (yyyy-m…); any
// string starting so is quoted.
func yamlLooksDate(s string) bool {
	return len(s) >= 6 && yamlAllIn(s[:4], "0123456789") && s[4] == '-' && s[5] >= '0' && s[5] <= '9'
}

func yamlAllIn(s, set string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// get returns the value under key, or nil if absent or n is not a map.
func (n *yamlNode) get(key string) *yamlNode {
	if n == nil || n.Kind != yamlMap {
		return nil
	}
	for i, k := range n.Keys {
		if k == key && i < len(n.Vals) {
			return n.Vals[i]
		}
	}
	return nil
}

// set replaces the value under key in place, keeping the key's position so
// a rewritten file keeps its order, or appends a new entry. A node that is
// not a map (such as the null of `hosts:`) becomes an empty map first.
func (n *yamlNode) set(key string, v *yamlNode) {
	if n == nil {
		return
	}
	if n.Kind != yamlMap {
		*n = yamlNode{Kind: yamlMap, Line: n.Line, Col: n.Col}
	}
	for len(n.Vals) < len(n.Keys) {
		n.Vals = append(n.Vals, nil)
	}
	for i, k := range n.Keys {
		if k == key {
			n.Vals[i] = v
			return
		}
	}
	n.Keys = append(n.Keys, key)
	n.Vals = append(n.Vals[:len(n.Keys)-1], v)
}

// del removes key from a map; absent keys and non-maps are left alone.
func (n *yamlNode) del(key string) {
	if n == nil || n.Kind != yamlMap {
		return
	}
	for i, k := range n.Keys {
		if k == key {
			n.Keys = slices.Delete(n.Keys, i, i+1)
			if i < len(n.Vals) {
				n.Vals = slices.Delete(n.Vals, i, i+1)
			}
			return
		}
	}
}

// yamlString is a string scalar; the writer quotes it when needed.
func yamlString(s string) *yamlNode { return &yamlNode{Kind: yamlScalar, Value: s} }

// yamlBool is a boolean scalar, written bare.
func yamlBool(b bool) *yamlNode {
	return &yamlNode{Kind: yamlScalar, Value: strconv.FormatBool(b), Plain: true}
}

func yamlNewMap() *yamlNode { return &yamlNode{Kind: yamlMap} }

// isNull reports whether n is absent or a YAML null (an unquoted empty, ~ or
// null), so `key:` and a missing key read the same.
func (n *yamlNode) isNull() bool {
	if n == nil {
		return true
	}
	if n.Kind != yamlScalar || !n.Plain {
		return false
	}
	switch n.Value {
	case "", "~", "null", "Null", "NULL":
		return true
	}
	return false
}

// str returns a scalar's text; "" for null, nil and collections.
func (n *yamlNode) str() string {
	if n.isNull() || n.Kind != yamlScalar {
		return ""
	}
	return n.Value
}
