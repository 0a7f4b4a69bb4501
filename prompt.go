package main

// prompt.go: talking to a person at a terminal — the arrow-key picker, line
// input and the y/N confirmation. Prompts go to stderr; data stays on stdout.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// canAsk reports whether a person can answer a question: stdin and stderr
// are both a terminal.
func (a *app) canAsk() bool { return a.stdinTTY && a.stderrTTY }

// canPick reports whether the arrow-key picker can run: a person can
// answer and the terminal can be put in raw mode.
func (a *app) canPick() bool { return a.canAsk() && a.term != nil }

// pick shows items on stderr and lets the user choose one with ↑/↓ or j/k
// and Enter. Esc and q cancel (exit 2); Ctrl-C interrupts (exit 130). The terminal is restored on
// every path, including a signal that cancels the command.
func (a *app) pick(title string, items []string, current int) (int, error) {
	restore, err := a.term.makeRaw()
	if err != nil {
		return 0, newError(codeTerminalError, "cannot switch the terminal to raw mode: "+err.Error(), "pass the value as a flag instead")
	}
	defer restore()
	w := a.stderr
	fmt.Fprint(w, "\x1b[?25l") // hide the cursor while drawing
	defer fmt.Fprint(w, "\x1b[?25h")

	sel := max(current, 0) // current -1: nothing is marked current
	// The picker is redrawn by moving the cursor up over it, so no line may
	// wrap and it may not be taller than the screen: lines are cut to the
	// width, and a list taller than the screen shows the part around the
	// selection.
	width, height := a.term.size()
	fit := func(s string) string {
		if width > 1 {
			return cutToWidth(s, width-1)
		}
		return s
	}
	rows, top := len(items), 0
	if height > 2 {
		rows = min(rows, height-2) // the title, and the line the cursor rests on
	}
	draw := func(first bool) {
		var b strings.Builder
		if !first {
			fmt.Fprintf(&b, "\x1b[%dA", rows+1)
		}
		b.WriteString("\r\x1b[J" + fit(sanitize(title)+"  (↑/↓ to move, Enter to choose, Esc to cancel)") + "\r\n")
		top = min(max(top, sel-rows+1), sel)
		for i := top; i < top+rows; i++ {
			mark := "  "
			if i == current {
				mark = "* "
			}
			line := mark + sanitize(items[i])
			if i == sel {
				line = a.colors(true).bold(fit("> " + line))
			} else {
				line = fit("  " + line)
			}
			b.WriteString(line + "\r\n")
		}
		fmt.Fprint(w, b.String())
	}
	draw(true)
	defer fmt.Fprintf(w, "\x1b[%dA\r\x1b[J", rows+1) // clear the picker

	keys := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		buf := make([]byte, 16)
		for {
			n, err := a.stdin.Read(buf)
			if n > 0 {
				k := append([]byte(nil), buf[:n]...)
				select {
				case keys <- k:
				case <-a.ctx.Done():
					return
				}
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	for {
		var k []byte
		select {
		case <-a.ctx.Done():
			return 0, errInterrupted
		case <-readErr:
			return 0, newError(codeUsageMissingArg, "selection cancelled", "input closed")
		case k = <-keys:
		}
		for _, key := range splitKeys(k) {
			switch key {
			case "\x1b[A", "\x1bOA", "k":
				sel = (sel - 1 + len(items)) % len(items)
			case "\x1b[B", "\x1bOB", "j":
				sel = (sel + 1) % len(items)
			case "\r", "\n":
				return sel, nil
			case "\x03": // Ctrl-C: raw mode delivers it as a byte
				return 0, errInterrupted
			case "\x1b", "q":
				return 0, newError(codeUsageMissingArg, "selection cancelled", "")
			}
		}
		draw(false)
	}
}

// splitKeys cuts what one read returned into keys: an escape sequence
// (ESC [ … final, ESC O x) or a single byte. A lone ESC is the Esc key.
func splitKeys(b []byte) []string {
	var keys []string
	for i := 0; i < len(b); {
		if b[i] != 0x1b || i+1 >= len(b) {
			keys = append(keys, string(b[i]))
			i++
			continue
		}
		j := i + 1
		switch b[j] {
		case '[':
			j++
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			j++
		case 'O':
			j += 2
		default:
			keys = append(keys, "\x1b")
			i++
			continue
		}
		j = min(j, len(b))
		keys = append(keys, string(b[i:j]))
		i = j
	}
	return keys
}

// lineReader reads lines from stdin without blocking cancellation: Ctrl-C
// (a cancelled context) ends a read at once.
type lineReader struct {
	lines chan string
	errs  chan error
}

func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{lines: make(chan string), errs: make(chan error, 1)}
	go func() {
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if len(line) > 0 {
				lr.lines <- strings.TrimRight(line, "\r\n")
			}
			if err != nil {
				lr.errs <- err
				return
			}
		}
	}()
	return lr
}

// readLine returns the next line, errInterrupted when ctx ends first, or
// the read error (io.EOF when input closed).
func (lr *lineReader) readLine(ctx context.Context) (string, error) {
	select {
	case <-ctx.Done():
		return "", errInterrupted
	case l := <-lr.lines:
		return l, nil
	case err := <-lr.errs:
		return "", err
	}
}

// confirm asks a y/N question on stderr; only y or yes (any case) confirms.
func (a *app) confirm(question string) (bool, error) {
	fmt.Fprint(a.stderr, question+" [y/N] ")
	line, err := newLineReader(a.stdin).readLine(a.ctx)
	if err != nil {
		fmt.Fprintln(a.stderr)
		if err == errInterrupted {
			return false, err
		}
		return false, nil
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// cutToWidth cuts s to at most n terminal columns, ending it with "…" when
// it was longer.
func cutToWidth(s string, n int) string {
	if displayWidth(s) <= n {
		return s
	}
	w := 0
	for i, r := range s {
		if w+displayWidth(string(r)) > n-1 {
			return s[:i] + "…"
		}
		w += displayWidth(string(r))
	}
	return s
}
