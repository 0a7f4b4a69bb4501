package main

// yaml.go: the hand-written YAML subset that hosts.yml, tokens.yml and
// `auth list -o yaml` need. The reader accepts everything js-yaml writes for
// the official client's schema; the writer emits block style with 2-space
// indent and quotes every scalar that would not read back as the same string.

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

// parseYAMLText parses one document. Empty or comment-only input returns
// (nil, nil). Anything outside the supported subset is a *yamlSyntaxError
// naming the line and column, never a silent misreading.
func parseYAMLText(src string) (*yamlNode, error) {
	src = strings.TrimPrefix(src, "\uFEFF")
	p := &yamlParser{src: src, nextNum: 1, keys: make([]string, 0, 64), vals: make([]*yamlNode, 0, 64)}
	ok, err := p.peek()
	if err != nil || !ok {
		return nil, err
	}
	root, err := p.parseNode(p.indent, -1)
	if err != nil {
		return nil, err
	}
	ok, err = p.peek()
	if err != nil {
		return nil, err
	}
	if ok {
		switch {
		case p.indent < root.Col-1:
			return nil, p.errAt(p.indent, "bad indentation")
		case root.Kind == yamlSeq:
			return nil, p.errAt(p.indent, "expected a sequence item (\"- \") at this indentation")
		default:
			return nil, p.errAt(p.indent, "unexpected content after the document's top-level value")
		}
	}
	return root, nil
}

// yamlParser reads the source one line at a time. Block structure is decided
// by indentation, so the parser looks at one content line (blank lines,
// comments and document markers are skipped by peek) and parses nodes that
// start at a given byte offset in it.
type yamlParser struct {
	src     string
	next    int // byte offset of the first unread raw line
	nextNum int // its line number

	// The current content line; valid while has is true.
	has    bool
	line   string
	num    int
	indent int

	// Rune-column cache for line, so that computing columns of many nodes
	// on one long line stays linear.
	colOff, colRunes int

	started bool // "---" seen
	content bool // a content line seen
	ended   bool // "..." seen
	depth   int

	// The entries of the collections being parsed collect on these
	// stacks and are copied out, at their exact length, when the
	// collection is complete, so each map holds no slack capacity.
	keys []string
	vals []*yamlNode
}

// node returns a new node located at byte offset off of the current line.
func (p *yamlParser) node(kind yamlKind, plain bool, value string, off int) *yamlNode {
	return &yamlNode{Kind: kind, Plain: plain, Value: value, Line: p.num, Col: p.colAt(off)}
}

// finish gives n the entries pushed on the stacks since keyBase and
// valBase, and pops them.
func (p *yamlParser) finish(n *yamlNode, keyBase, valBase int) {
	if k := p.keys[keyBase:]; len(k) > 0 {
		n.Keys = slices.Clone(k)
		p.keys = p.keys[:keyBase]
	}
	if v := p.vals[valBase:]; len(v) > 0 {
		n.Vals = slices.Clone(v)
		p.vals = p.vals[:valBase]
	}
}

// peek makes the next content line current, if there is one. It checks
// every raw line on the way (characters, tabs, document markers), so errors
// come out in file order.
func (p *yamlParser) peek() (bool, error) {
	for !p.has {
		if p.next >= len(p.src) {
			return false, nil
		}
		start, end := p.next, len(p.src)
		if k := strings.IndexByte(p.src[start:], '\n'); k >= 0 {
			end = start + k
		}
		p.next = min(end+1, len(p.src))
		raw := strings.TrimSuffix(p.src[start:end], "\r")
		num := p.nextNum
		p.nextNum++
		if err := yamlCheckChars(raw, num); err != nil {
			return false, err
		}
		if err := p.classify(raw, num); err != nil {
			return false, err
		}
	}
	return true, nil
}

// classify skips blank, comment and marker lines and makes any other line
// the current one.
func (p *yamlParser) classify(raw string, num int) error {
	indent := 0
	for indent < len(raw) && raw[indent] == ' ' {
		indent++
	}
	j := yamlSkipBlanks(raw, indent)
	if j == len(raw) || raw[j] == '#' {
		return nil
	}
	lineErr := func(off int, msg string) error {
		return &yamlSyntaxError{Line: num, Col: utf8.RuneCountInString(raw[:off]) + 1, Msg: msg}
	}
	if raw[indent] == '\t' {
		return lineErr(indent, "tab characters cannot be used for indentation; use spaces")
	}
	if indent == 0 {
		switch {
		case yamlIsMarker(raw, "---"):
			if p.started || p.content || p.ended {
				return lineErr(0, "multiple documents are not supported (found a second \"---\")")
			}
			p.started = true
			if k, ok := yamlRestIsComment(raw, 3); !ok {
				return lineErr(k, "content on the \"---\" line is not supported; start it on the next line")
			}
			return nil
		case yamlIsMarker(raw, "..."):
			p.ended = true
			if k, ok := yamlRestIsComment(raw, 3); !ok {
				return lineErr(k, "content after the document end marker \"...\" is not supported")
			}
			return nil
		case raw[0] == '%' && !p.content && !p.started:
			return lineErr(0, "directives (%YAML, %TAG) are not supported")
		}
	}
	if p.ended {
		return lineErr(indent, "content after the document end marker \"...\" (multiple documents are not supported)")
	}
	p.content = true
	p.has, p.line, p.num, p.indent = true, raw, num, indent
	p.colOff, p.colRunes = 0, 0
	return nil
}

// yamlCheckChars rejects what a YAML stream may not contain: NUL and other
// control characters, lone carriage returns, invalid UTF-8 and the
// non-characters U+FFFE/U+FFFF.
func yamlCheckChars(raw string, num int) error {
	for i, r := range raw {
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
		case r == utf8.RuneError && !strings.HasPrefix(raw[i:], "\uFFFD"):
			msg = "invalid UTF-8"
		case (r >= 0x80 && r <= 0x9f && r != 0x85) || r == 0xfffe || r == 0xffff:
			msg = fmt.Sprintf("non-printable character U+%04X is not allowed", r)
		default:
			continue
		}
		return &yamlSyntaxError{Line: num, Col: utf8.RuneCountInString(raw[:i]) + 1, Msg: msg}
	}
	return nil
}

// consume marks the current line as fully parsed.
func (p *yamlParser) consume() { p.has = false }

// colAt is the 1-based rune column of byte offset off in the current line.
func (p *yamlParser) colAt(off int) int {
	off = min(max(off, 0), len(p.line))
	if off < p.colOff {
		p.colOff, p.colRunes = 0, 0
	}
	p.colRunes += utf8.RuneCountInString(p.line[p.colOff:off])
	p.colOff = off
	return p.colRunes + 1
}

func (p *yamlParser) errAt(off int, msg string) error {
	return &yamlSyntaxError{Line: p.num, Col: p.colAt(off), Msg: msg}
}

// enter counts one level of nesting for a collection starting at off.
func (p *yamlParser) enter(off int) error {
	p.depth++
	if p.depth > yamlMaxDepth {
		return p.errAt(off, fmt.Sprintf("nesting deeper than %d levels is not supported", yamlMaxDepth))
	}
	return nil
}

func (p *yamlParser) leave() { p.depth-- }

func (p *yamlParser) null(off int) *yamlNode {
	return p.node(yamlScalar, true, "", off)
}

// parseNode parses the block node that starts at byte offset col of the
// current line; parent is the indentation of the enclosing collection (-1
// at the top), which a scalar's following lines must not exceed.
func (p *yamlParser) parseNode(col, parent int) (*yamlNode, error) {
	s := p.line
	if s[col] == '-' && yamlBlankAt(s, col+1) {
		return p.parseSeq(col)
	}
	if err := p.checkStart(col, false); err != nil {
		return nil, err
	}
	_, _, isKey, err := p.scanKey(col)
	if err != nil {
		return nil, err
	}
	if isKey {
		return p.parseMap(col)
	}
	n, end, err := p.scanValue(col)
	if err != nil {
		return nil, err
	}
	if err := p.finishLine(end); err != nil {
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
	if prev != nil && prev.Kind == yamlScalar && prev.Plain && prev.Value != "" {
		return "bad indentation (multi-line plain scalars are not supported; quote the value on one line)"
	}
	return "bad indentation"
}

// parseMap parses a block mapping whose keys sit at byte offset col.
func (p *yamlParser) parseMap(col int) (*yamlNode, error) {
	if err := p.enter(col); err != nil {
		return nil, err
	}
	defer p.leave()
	m := p.node(yamlMap, false, "", col)
	keyBase, valBase := len(p.keys), len(p.vals)
	var seen map[string]struct{}
	for {
		s := p.line
		if s[col] == '-' && yamlBlankAt(s, col+1) {
			return nil, p.errAt(col, "expected a map key, found a sequence item")
		}
		if err := p.checkStart(col, false); err != nil {
			return nil, err
		}
		key, colon, isKey, err := p.scanKey(col)
		if err != nil {
			return nil, err
		}
		if !isKey {
			return nil, p.errAt(col, "expected a map key (\"key: value\")")
		}
		if yamlHasKey(p.keys[keyBase:], &seen, key) {
			return nil, p.errAt(col, fmt.Sprintf("duplicate key %q", key))
		}
		p.keys = append(p.keys, key)
		v, err := p.parseValue(col, colon)
		if err != nil {
			return nil, err
		}
		p.vals = append(p.vals, v)
		ok, err := p.peek()
		if err != nil {
			return nil, err
		}
		if !ok || p.indent < col {
			p.finish(m, keyBase, valBase)
			return m, nil
		}
		if p.indent > col {
			return nil, p.errAt(p.indent, yamlIndentMsg(v))
		}
	}
}

// yamlHasKey reports whether keys (a map's keys so far) has key, and
// records it. Small maps are scanned; larger ones get a set so big files
// stay linear.
func yamlHasKey(keys []string, seen *map[string]struct{}, key string) bool {
	if *seen == nil {
		if len(keys) < 16 {
			return slices.Contains(keys, key)
		}
		*seen = make(map[string]struct{}, 2*len(keys))
		for _, k := range keys {
			(*seen)[k] = struct{}{}
		}
	}
	if _, dup := (*seen)[key]; dup {
		return true
	}
	(*seen)[key] = struct{}{}
	return false
}

// parseValue parses what follows "key:" (colon is the colon's offset) for a
// map whose keys sit at col.
func (p *yamlParser) parseValue(col, colon int) (*yamlNode, error) {
	s := p.line
	j := yamlSkipBlanks(s, colon+1)
	if j == len(s) || s[j] == '#' {
		line, nullCol := p.num, p.colAt(colon+1)
		p.consume()
		return p.parseBlockValue(col, true, line, nullCol)
	}
	if s[j] == '-' && yamlBlankAt(s, j+1) {
		return nil, p.errAt(j, "a sequence cannot start on the same line as its key; put \"- item\" on the next line")
	}
	if err := p.checkStart(j, false); err != nil {
		return nil, err
	}
	v, end, err := p.scanValue(j)
	if err != nil {
		return nil, err
	}
	return v, p.finishLine(end)
}

// parseBlockValue parses a value that starts on a later line than its key or
// dash: anything indented deeper than parent, or (after a key, seqSame) a
// sequence at the key's own indentation. Otherwise the value is a null
// located at line and col.
func (p *yamlParser) parseBlockValue(parent int, seqSame bool, line, col int) (*yamlNode, error) {
	ok, err := p.peek()
	if err != nil {
		return nil, err
	}
	if ok && p.indent > parent {
		return p.parseNode(p.indent, parent)
	}
	if ok && seqSame && p.indent == parent && yamlIsSeqItem(p.line, p.indent) {
		return p.parseSeq(p.indent)
	}
	return &yamlNode{Kind: yamlScalar, Plain: true, Line: line, Col: col}, nil
}

// parseSeq parses a block sequence whose dashes sit at byte offset col.
func (p *yamlParser) parseSeq(col int) (*yamlNode, error) {
	if err := p.enter(col); err != nil {
		return nil, err
	}
	defer p.leave()
	n := p.node(yamlSeq, false, "", col)
	valBase := len(p.vals)
	for {
		s := p.line
		j, tab := col+1, -1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			if s[j] == '\t' && tab < 0 {
				tab = j
			}
			j++
		}
		var item *yamlNode
		var err error
		if j == len(s) || s[j] == '#' {
			line, nullCol := p.num, p.colAt(col+1)
			p.consume()
			item, err = p.parseBlockValue(col, false, line, nullCol)
		} else if tab >= 0 {
			err = p.errAt(tab, "a tab cannot separate \"-\" from the item; use spaces")
		} else {
			item, err = p.parseNode(j, col)
		}
		if err != nil {
			return nil, err
		}
		p.vals = append(p.vals, item)
		ok, err := p.peek()
		if err != nil {
			return nil, err
		}
		if !ok || p.indent < col {
			p.finish(n, len(p.keys), valBase)
			return n, nil
		}
		if p.indent > col {
			return nil, p.errAt(p.indent, yamlIndentMsg(item))
		}
		if !yamlIsSeqItem(p.line, col) {
			p.finish(n, len(p.keys), valBase)
			return n, nil // a key at the same indentation: the caller's map goes on
		}
	}
}

// checkStart rejects the characters that cannot begin a plain scalar, with a
// message naming the unsupported feature they introduce.
func (p *yamlParser) checkStart(off int, flow bool) error {
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
		if yamlIndicatorAt(s, off+1, flow) {
			msg = "explicit keys (\"? \") are not supported"
		}
	case ':':
		if yamlIndicatorAt(s, off+1, flow) {
			msg = "missing key before \":\""
		}
	case '-':
		if flow && yamlIndicatorAt(s, off+1, flow) {
			msg = "block sequence items are not allowed inside a flow collection"
		}
	}
	if msg != "" {
		return p.errAt(off, msg)
	}
	return nil
}

// scanKey looks for a block mapping key at off: a quoted or plain scalar
// followed by ":" and a blank. It returns the key and the colon's offset.
func (p *yamlParser) scanKey(off int) (key string, colon int, isKey bool, err error) {
	s := p.line
	switch s[off] {
	case '\'', '"':
		v, end, err := p.scanQuoted(off)
		if err != nil {
			return "", 0, false, err
		}
		j := yamlSkipBlanks(s, end)
		if j < len(s) && s[j] == ':' && yamlBlankAt(s, j+1) {
			return v, j, true, nil
		}
		return "", 0, false, nil
	case '[', '{':
		return "", 0, false, nil
	}
	end, isColon := yamlPlainEnd(s, off, false)
	if !isColon {
		return "", 0, false, nil
	}
	return yamlTrimBlanks(s[off:end]), end, true, nil
}

// scanValue scans a scalar or flow collection in block context starting at
// off and returns it with the offset just past it.
func (p *yamlParser) scanValue(off int) (*yamlNode, int, error) {
	s := p.line
	switch s[off] {
	case '\'', '"':
		return p.quotedNode(off)
	case '[', '{':
		return p.parseFlow(off)
	}
	end, isColon := yamlPlainEnd(s, off, false)
	if isColon {
		return nil, 0, p.errAt(end, "unexpected \":\" in a plain value (nested mappings must start on a new line; quote values that contain \": \")")
	}
	return p.node(yamlScalar, true, yamlTrimBlanks(s[off:end]), off), end, nil
}

func (p *yamlParser) quotedNode(off int) (*yamlNode, int, error) {
	col := p.colAt(off)
	v, end, err := p.scanQuoted(off)
	if err != nil {
		return nil, 0, err
	}
	return &yamlNode{Kind: yamlScalar, Value: v, Line: p.num, Col: col}, end, nil
}

// finishLine accepts only blanks and a comment after a value at end, and
// consumes the line.
func (p *yamlParser) finishLine(end int) error {
	s := p.line
	j := yamlSkipBlanks(s, end)
	if j < len(s) && !(s[j] == '#' && j > 0 && yamlIsBlank(s[j-1])) {
		return p.errAt(j, "unexpected text after the value")
	}
	p.consume()
	return nil
}

// yamlPlainEnd finds where a plain scalar starting at off ends: at ": " (a
// mapping indicator, reported by isColon), at " #" (a comment), at the end of
// the line, or in flow context at a flow indicator. The result still
// includes trailing blanks.
func yamlPlainEnd(s string, off int, flow bool) (end int, isColon bool) {
	for i := off; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':' && yamlIndicatorAt(s, i+1, flow):
			return i, true
		case c == '#' && i > off && yamlIsBlank(s[i-1]):
			return i, false
		case flow && yamlIsFlowIndicator(c):
			return i, false
		}
	}
	return len(s), false
}

func (p *yamlParser) scanQuoted(off int) (string, int, error) {
	if p.line[off] == '\'' {
		return p.scanSingle(off)
	}
	return p.scanDouble(off)
}

// scanSingle reads a single-quoted scalar, in which a doubled quote stands
// for one quote.
func (p *yamlParser) scanSingle(off int) (string, int, error) {
	s := p.line
	var b strings.Builder
	start := off + 1
	for i := start; ; {
		k := strings.IndexByte(s[i:], '\'')
		if k < 0 {
			return "", 0, p.errAt(off, "unterminated single-quoted string (multi-line quoted strings are not supported)")
		}
		i += k
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteString(s[start : i+1])
			i += 2
			start = i
			continue
		}
		if b.Len() == 0 {
			return s[start:i], i + 1, nil
		}
		b.WriteString(s[start:i])
		return b.String(), i + 1, nil
	}
}

// yamlSimpleEscapes maps the one-letter escapes of double-quoted scalars.
var yamlSimpleEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n",
	'v': "\v", 'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"",
	'/': "/", '\\': "\\", 'N': "\u0085", '_': "\u00a0", 'L': "\u2028",
	'P': "\u2029",
}

// scanDouble reads a double-quoted scalar and decodes its escapes.
func (p *yamlParser) scanDouble(off int) (string, int, error) {
	s := p.line
	var b strings.Builder
	start := off + 1
	for i := start; i < len(s); {
		switch s[i] {
		case '"':
			if b.Len() == 0 {
				return s[start:i], i + 1, nil
			}
			b.WriteString(s[start:i])
			return b.String(), i + 1, nil
		case '\\':
			b.WriteString(s[start:i])
			if i+1 >= len(s) {
				return "", 0, p.errAt(off, "unterminated double-quoted string (multi-line quoted strings are not supported)")
			}
			if e, ok := yamlSimpleEscapes[s[i+1]]; ok {
				b.WriteString(e)
				i += 2
			} else {
				r, n, err := p.hexEscape(i)
				if err != nil {
					return "", 0, err
				}
				b.WriteRune(r)
				i += n
			}
			start = i
		default:
			i++
		}
	}
	return "", 0, p.errAt(off, "unterminated double-quoted string (multi-line quoted strings are not supported)")
}

// hexEscape decodes \xNN, \uNNNN or \UNNNNNNNN at off (the backslash),
// joining a UTF-16 surrogate pair written as two \u escapes as JSON does.
func (p *yamlParser) hexEscape(off int) (rune, int, error) {
	s := p.line
	digits := 0
	switch s[off+1] {
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return 0, 0, p.errAt(off, fmt.Sprintf("unknown escape sequence \\%s", yamlEscapeName(s, off+1)))
	}
	r, ok := yamlHex(s, off+2, digits)
	if !ok {
		return 0, 0, p.errAt(off, "invalid hexadecimal escape sequence")
	}
	n := 2 + digits
	if r >= 0xd800 && r < 0xdc00 && s[off+1] == 'u' && strings.HasPrefix(s[off+n:], "\\u") {
		if lo, ok := yamlHex(s, off+n+2, 4); ok && lo >= 0xdc00 && lo < 0xe000 {
			return 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00), n + 6, nil
		}
	}
	if !utf8.ValidRune(r) {
		return 0, 0, p.errAt(off, fmt.Sprintf("escape sequence is not a valid Unicode character (U+%04X)", r))
	}
	return r, n, nil
}

// yamlEscapeName is the character after a backslash, for error messages.
func yamlEscapeName(s string, off int) string {
	r, _ := utf8.DecodeRuneInString(s[off:])
	return string(r)
}

func yamlHex(s string, off, digits int) (rune, bool) {
	if off+digits > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[off:off+digits], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// parseFlow parses a flow collection ({...} or [...]) that must close on the
// same line. Flow entries are scalars or nested flow collections.
func (p *yamlParser) parseFlow(off int) (*yamlNode, int, error) {
	if err := p.enter(off); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	s := p.line
	n := p.node(yamlSeq, false, "", off)
	keyBase, valBase := len(p.keys), len(p.vals)
	closer := byte(']')
	if s[off] == '{' {
		n.Kind, closer = yamlMap, '}'
	}
	unclosed := func() error {
		return p.errAt(off, "flow collection is not closed on this line (multi-line flow collections are not supported)")
	}
	var seen map[string]struct{}
	for i := off + 1; ; {
		i = yamlSkipBlanks(s, i)
		if yamlFlowLineEnds(s, i) {
			return nil, 0, unclosed()
		}
		if s[i] == closer {
			p.finish(n, keyBase, valBase)
			return n, i + 1, nil
		}
		var err error
		if n.Kind == yamlSeq {
			var item *yamlNode
			if item, i, err = p.flowItem(i); err != nil {
				return nil, 0, err
			}
			p.vals = append(p.vals, item)
		} else {
			keyOff := i
			var key string
			var v *yamlNode
			if key, v, i, err = p.flowEntry(i); err != nil {
				return nil, 0, err
			}
			if yamlHasKey(p.keys[keyBase:], &seen, key) {
				return nil, 0, p.errAt(keyOff, fmt.Sprintf("duplicate key %q", key))
			}
			p.keys = append(p.keys, key)
			p.vals = append(p.vals, v)
		}
		i = yamlSkipBlanks(s, i)
		switch {
		case yamlFlowLineEnds(s, i):
			return nil, 0, unclosed()
		case s[i] == ',':
			i++
		case s[i] == closer:
			p.finish(n, keyBase, valBase)
			return n, i + 1, nil
		case s[i] == ':' && n.Kind == yamlSeq:
			return nil, 0, p.errAt(i, "mappings inside flow sequences ([a: b]) are not supported")
		default:
			return nil, 0, p.errAt(i, fmt.Sprintf("expected \",\" or %q", closer))
		}
	}
}

// yamlFlowLineEnds reports whether a flow collection runs into the end of
// the line (or a comment) at i.
func yamlFlowLineEnds(s string, i int) bool {
	return i >= len(s) || (s[i] == '#' && i > 0 && yamlIsBlank(s[i-1]))
}

// flowEntry parses "key", "key: value" or "key:" inside a flow mapping.
func (p *yamlParser) flowEntry(off int) (string, *yamlNode, int, error) {
	s := p.line
	if s[off] == '[' || s[off] == '{' {
		return "", nil, 0, p.errAt(off, "flow collections as keys are not supported")
	}
	if err := p.checkStart(off, true); err != nil {
		return "", nil, 0, err
	}
	var key string
	var i int
	if s[off] == '\'' || s[off] == '"' {
		var err error
		if key, i, err = p.scanQuoted(off); err != nil {
			return "", nil, 0, err
		}
	} else {
		i, _ = yamlPlainEnd(s, off, true)
		key = yamlTrimBlanks(s[off:i])
	}
	i = yamlSkipBlanks(s, i)
	if i >= len(s) || s[i] != ':' {
		return key, p.null(i), i, nil
	}
	i = yamlSkipBlanks(s, i+1)
	if i < len(s) && (s[i] == ',' || s[i] == '}') {
		return key, p.null(i), i, nil
	}
	v, end, err := p.flowItem(i)
	if err != nil {
		return "", nil, 0, err
	}
	if j := yamlSkipBlanks(s, end); j < len(s) && s[j] == ':' {
		return "", nil, 0, p.errAt(j, "unexpected \":\" in a flow mapping value")
	}
	return key, v, end, nil
}

// flowItem parses one scalar or nested collection inside a flow collection.
func (p *yamlParser) flowItem(off int) (*yamlNode, int, error) {
	s := p.line
	if yamlFlowLineEnds(s, off) {
		return nil, 0, p.errAt(off, "flow collection is not closed on this line (multi-line flow collections are not supported)")
	}
	switch s[off] {
	case '[', '{':
		return p.parseFlow(off)
	case '\'', '"':
		return p.quotedNode(off)
	}
	if err := p.checkStart(off, true); err != nil {
		return nil, 0, err
	}
	end, _ := yamlPlainEnd(s, off, true)
	v := yamlTrimBlanks(s[off:end])
	if v == "" {
		return nil, 0, p.errAt(off, "expected a value")
	}
	return p.node(yamlScalar, true, v, off), end, nil
}

func yamlIsBlank(c byte) bool { return c == ' ' || c == '\t' }

// yamlTrimBlanks drops trailing blanks, as strings.TrimRight(s, " \t")
// does, without building a cutset each time.
func yamlTrimBlanks(s string) string {
	i := len(s)
	for i > 0 && yamlIsBlank(s[i-1]) {
		i--
	}
	return s[:i]
}

// yamlBlankAt reports whether s has a blank or its end at i.
func yamlBlankAt(s string, i int) bool { return i >= len(s) || yamlIsBlank(s[i]) }

// yamlIndicatorAt reports whether a ':', '?' or '-' just before i acts as an
// indicator: followed by a blank, the end, or in flow context a flow
// indicator.
func yamlIndicatorAt(s string, i int, flow bool) bool {
	return yamlBlankAt(s, i) || (flow && yamlIsFlowIndicator(s[i]))
}

func yamlIsFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

func yamlSkipBlanks(s string, i int) int {
	for i < len(s) && yamlIsBlank(s[i]) {
		i++
	}
	return i
}

func yamlIsSeqItem(s string, col int) bool {
	return col < len(s) && s[col] == '-' && yamlBlankAt(s, col+1)
}

func yamlIsMarker(raw, m string) bool {
	return strings.HasPrefix(raw, m) && yamlBlankAt(raw, len(m))
}

// yamlRestIsComment reports whether raw holds only blanks or a comment from
// i on; if not, it returns the offset of the first other character.
func yamlRestIsComment(raw string, i int) (int, bool) {
	j := yamlSkipBlanks(raw, i)
	if j == len(raw) || (raw[j] == '#' && j > i) {
		return j, true
	}
	return j, false
}

// marshalYAML renders a node as a block-style document ending in "\n", laid
// out as js-yaml's dump (indent 2, no line folding) lays it out, so files the
// official client wrote come back byte for byte. A nil node is "null".
func marshalYAML(n *yamlNode) []byte {
	b := make([]byte, 0, yamlSizeHint(n, 0))
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

// yamlSizeHint estimates the rendered size of n at indent, so the output
// buffer is allocated once instead of doubling its way up: with the GC off
// the doubling stays in memory (`use host` at 10 000 contexts, 57 MiB peak
// RSS with the hint, 79 MiB without).
func yamlSizeHint(n *yamlNode, indent int) int {
	if n == nil {
		return 8
	}
	size := len(n.Value) + 8
	for _, k := range n.Keys {
		size += indent + len(k) + 4
	}
	for _, v := range n.Vals {
		size += yamlSizeHint(v, indent+2) + indent
	}
	return size
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

// yamlDoubleQuote writes s in double quotes with js-yaml's escapes.
func yamlDoubleQuote(s string) string {
	b := make([]byte, 0, len(s)+8)
	b = append(b, '"')
	for _, r := range s {
		switch r {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case 0:
			b = append(b, `\0`...)
		case '\a':
			b = append(b, `\a`...)
		case '\b':
			b = append(b, `\b`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\v':
			b = append(b, `\v`...)
		case '\f':
			b = append(b, `\f`...)
		case '\r':
			b = append(b, `\r`...)
		case 0x1b:
			b = append(b, `\e`...)
		case 0x85:
			b = append(b, `\N`...)
		case 0x2028:
			b = append(b, `\L`...)
		case 0x2029:
			b = append(b, `\P`...)
		default:
			switch {
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
