package main

// auth.go: auth whoami and auth list (local), auth login and auth logout.

import (
	"flag"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
)

var whoamiCommand = &command{
	quick:   true,
	path:    "auth whoami",
	summary: "Print the active subject's identity",
	usage:   "auth whoami [--json]",
	long: "Reads the active context from hosts.yml without contacting the server: it answers\n" +
		"\"which identity is active\", not \"is the token still valid\".",
	examples: []string{"difyctl auth whoami", "difyctl auth whoami --json"},
	exits:    [][2]string{{"0", "An active context exists"}, {"4", "Not signed in (not_logged_in)"}},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		asJSON := fs.Bool("json", false, "Emit JSON instead of the plain-text line")
		return func(a *app, args []string) error { return a.whoami(*asJSON) }
	},
}

func (a *app) whoami(asJSON bool) error {
	st, err := a.store()
	if err != nil {
		return err
	}
	h, err := st.load()
	if err != nil {
		return err
	}
	_, c := h.active()
	if c == nil {
		return notLoggedIn()
	}
	if c.isExternal() {
		if asJSON {
			return a.write(marshalLine(struct {
				SubjectType string `json:"subject_type"`
				Email       string `json:"email"`
				Issuer      string `json:"issuer"`
			}{"external_sso", c.email(), c.External.Issuer}))
		}
		return a.writeString(sanitize(c.email()) + " " + ssoSuffix(c.External.Issuer) + "\n")
	}
	if asJSON {
		return a.write(marshalLine(struct {
			ID    string `json:"id"`
			Email string `json:"email"`
			Name  string `json:"name"`
		}{c.Account.ID, c.email(), c.Account.Name}))
	}
	return a.writeString(emailWithName(c.email(), c.Account.Name) + "\n")
}

// isExternal reports a context signed in through external SSO (a dfoe_
// token with no Dify account).
func (c *contextEntry) isExternal() bool {
	return c.External != nil && c.Account.ID == ""
}

// email is the context's email: the account's, else the key it is stored
// under.
func (c *contextEntry) email() string {
	if c.Account.Email != "" {
		return c.Account.Email
	}
	return c.Email
}

// emailWithName renders `email (Name)`, or the email alone, sanitized.
func emailWithName(email, name string) string {
	if name == "" {
		return sanitize(email)
	}
	return sanitize(email) + " (" + sanitize(name) + ")"
}

func ssoSuffix(issuer string) string {
	if issuer == "" {
		return "(external SSO)"
	}
	return "(external SSO, issuer: " + sanitize(issuer) + ")"
}

func (a *app) write(b []byte) error {
	_, err := a.stdout.Write(b)
	return err
}

func (a *app) writeString(s string) error {
	_, err := io.WriteString(a.stdout, s)
	return err
}

var listCommand = &command{
	quick:   true,
	path:    "auth list",
	summary: "List all authenticated contexts (host + account pairs)",
	usage:   "auth list [-o json|yaml|name]",
	long:    "Shows every stored host and account pair and marks the active one. Purely local.",
	examples: []string{
		"difyctl auth list",
		"difyctl auth list -o json",
		"difyctl auth list -o name",
	},
	exits: [][2]string{{"0", "Success, including when no contexts are stored"}, {"2", "Usage error, such as an unsupported -o value"}},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		format := fs.String("o", "", "Output `format`: json, yaml, or name (default: a table)")
		fs.StringVar(format, "output", "", "Same as -o")
		return func(a *app, args []string) error { return a.list(*format) }
	},
	aliases: map[string]string{"output": "o"},
}

// contextRow is one entry of `auth list -o json|yaml`.
type contextRow struct {
	Host    string `json:"host"`
	Account string `json:"account"`
	Name    string `json:"name"`
	Active  bool   `json:"active"`
}

func (a *app) list(format string) error {
	switch format {
	case "", "json", "yaml", "name":
	default:
		return newError("illegal_argument",
			fmt.Sprintf("illegal value %s for flag --output / -o", sanitize(format)),
			"supported value: json, yaml, name")
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	h, err := st.load()
	if err != nil {
		return err
	}
	rows := contextRows(h)
	switch format {
	case "json":
		return writeContextsJSON(a.stdout, rows)
	case "yaml":
		return writeContextsYAML(a.stdout, rows)
	case "name":
		// Emails joined by newlines plus a final one, as the official
		// client prints them: no contexts is a single empty line.
		if h.count() == 0 {
			return a.writeString("\n")
		}
		out := newChunked(a.stdout)
		for r := range rows {
			out.b = append(append(out.b, sanitize(r.Account)...), '\n')
			out.flushIfFull()
		}
		return out.flush()
	}
	n := h.count()
	table := make([][]string, 0, n)
	cells := make([]string, 3*n) // one allocation for all rows
	for r := range rows {
		mark := ""
		if r.Active {
			mark = "*"
		}
		row := cells[:3:3]
		cells = cells[3:]
		row[0], row[1], row[2] = r.Host, emailWithName(r.Account, r.Name), mark
		table = append(table, row)
	}
	return renderTable(a.stdout, []string{"HOST", "ACCOUNT", "ACTIVE"}, table)
}

// contextRows yields every host × account in file order, one at a time:
// at 10 000 contexts a slice of them would be one more copy in memory.
func contextRows(h *hostsFile) iter.Seq[contextRow] {
	return func(yield func(contextRow) bool) {
		for _, e := range h.Hosts {
			for _, c := range e.Accounts {
				if !yield(contextRow{
					Host:    e.Host,
					Account: c.Email,
					Name:    c.Account.Name,
					Active:  h.CurrentHost == e.Host && e.CurrentAccount == c.Email,
				}) {
					return
				}
			}
		}
	}
}

// writeContextsJSON writes {"contexts":[…]} exactly as encoding/json with
// a 2-space indent would, without reflection and in chunks: `auth list -o
// json` must stay fast and small at 10 000 contexts.
func writeContextsJSON(w io.Writer, rows iter.Seq[contextRow]) error {
	out := newChunked(w)
	n := 0
	for r := range rows {
		b := out.b
		if n == 0 {
			b = append(b, "{\n  \"contexts\": [\n"...)
		} else {
			b = append(b, ",\n"...)
		}
		n++
		b = append(b, "    {\n      \"host\": "...)
		b = appendJSONString(b, r.Host)
		b = append(b, ",\n      \"account\": "...)
		b = appendJSONString(b, r.Account)
		b = append(b, ",\n      \"name\": "...)
		b = appendJSONString(b, r.Name)
		b = append(b, ",\n      \"active\": "...)
		b = strconv.AppendBool(b, r.Active)
		out.b = append(b, "\n    }"...)
		out.flushIfFull()
	}
	if n == 0 {
		out.b = append(out.b, "{\n  \"contexts\": []\n}\n"...)
	} else {
		out.b = append(out.b, "\n  ]\n}\n"...)
	}
	return out.flush()
}

// writeContextsYAML writes the contexts as marshalYAML would write them
// (js-yaml's layout, strings quoted when needed), in chunks.
func writeContextsYAML(w io.Writer, rows iter.Seq[contextRow]) error {
	out := newChunked(w)
	n := 0
	for r := range rows {
		b := out.b
		if n == 0 {
			b = append(b, "contexts:\n"...)
		}
		n++
		b = append(b, "  - host: "...)
		b = append(b, yamlQuote(r.Host)...)
		b = append(b, "\n    account: "...)
		b = append(b, yamlQuote(r.Account)...)
		b = append(b, "\n    name: "...)
		b = append(b, yamlQuote(r.Name)...)
		b = append(b, "\n    active: "...)
		b = strconv.AppendBool(b, r.Active)
		out.b = append(b, '\n')
		out.flushIfFull()
	}
	if n == 0 {
		out.b = append(out.b, "contexts: []\n"...)
	}
	return out.flush()
}

var loginCommand = &command{
	path:    "auth login",
	summary: "Sign in to Dify via OAuth device flow",
	usage:   "auth login [--host <url>] [--no-browser] [--insecure]",
	long: "Runs the OAuth 2.0 device flow: prints a one-time code and a verification URL, opens the\n" +
		"URL in your browser, and waits for you to approve the sign-in there. The CLI never sees\n" +
		"your password. Signing in again to the same host and account replaces its token.",
	examples: []string{
		"difyctl auth login --host https://dify.example.com",
		"difyctl auth login --no-browser",
		"difyctl auth login --host http://localhost:5001 --insecure",
	},
	exits: [][2]string{
		{"0", "Signed in"},
		{"1", "Network or server error"},
		{"2", "Usage error, such as a missing --host outside a terminal or a non-https host without --insecure"},
		{"4", "The sign-in was denied (access_denied), or the code expired before you approved it (expired_token)"},
		{"6", "The server has no device-flow sign-in endpoint, or rejected this difyctl as too old"},
		{"7", "Rate limited (HTTP 429)"},
		{"130", "Interrupted (Ctrl-C); nothing was written"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		host := fs.String("host", "", "The Dify `url` to sign in to (the console API URL on self-hosted Dify); https:// is assumed")
		noBrowser := fs.Bool("no-browser", false, "Don't open the browser; print the verification URL only")
		insecure := fs.Bool("insecure", false, "Allow http:// hosts and skip TLS certificate verification (local development only)")
		return func(a *app, args []string) error { return a.login(*host, *noBrowser, *insecure) }
	},
}

func (a *app) login(rawHost string, noBrowser, insecure bool) error {
	ep, err := a.loginEndpoint(rawHost, insecure)
	if err != nil {
		return err
	}
	if insecure {
		if ep.Scheme == "http" {
			a.warn("--insecure: traffic to " + sanitize(ep.Host) + " is not encrypted (http://); use it for local development only")
		} else {
			a.warn("--insecure: TLS certificate verification is off for " + sanitize(ep.Host))
		}
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	// Refuse early, before the user approves anything, when hosts.yml
	// cannot be read: it would not be written afterwards either.
	if _, err := st.load(); err != nil {
		return err
	}
	if err := a.preflightLogin(st); err != nil {
		return err
	}
	c, err := a.newAPIClient(ep, token{})
	if err != nil {
		return err
	}
	dc, err := a.requestCode(c, ep)
	if err != nil {
		return err
	}
	a.showCode(dc)
	a.maybeOpenBrowser(dc.VerificationURI, noBrowser)
	g, err := a.awaitGrant(c, dc)
	if err != nil {
		return err
	}
	ctx, old, stored, err := a.keepGrant(st, ep, g)
	if err != nil {
		// The server minted a session that difyctl could not store: end
		// it rather than leave it live and unseen (best effort; not after
		// Ctrl-C, which must stop at once). Once stored, the token may
		// already have replaced a working one, so it is left alone.
		if !stored && a.ctx.Err() == nil {
			if nc, cerr := a.newAPIClient(ep, g.Token.t); cerr == nil {
				revokeQuietly(a.ctx, nc)
			}
		}
		return err
	}
	if !old.isEmpty() && old.reveal() != g.Token.t.reveal() {
		if oc, err := a.newAPIClient(ep, old); err == nil {
			revokeQuietly(a.ctx, oc)
		}
	}
	return a.writeString(a.loginSummary(ep.Host, ctx))
}

// keepGrant checks the token a sign-in was granted, stores it and records
// its context as the active one. It returns the token the sign-in
// replaces, if any, so its session can be ended, and whether the new
// token reached the token store, even when a later step failed.
func (a *app) keepGrant(st *store, ep endpoint, g *grant) (ctx *contextEntry, old token, stored bool, err error) {
	tok := g.Token.t
	if err := checkGrantToken(tok); err != nil {
		return nil, token{}, false, err
	}
	ctx, err = contextFromGrant(g)
	if err != nil {
		return nil, token{}, false, err
	}
	ts, err := a.tokenStore()
	if err != nil {
		return nil, token{}, false, err
	}
	// Remember the token this sign-in replaces, to end its session once
	// the new one is safely stored.
	if h, err := st.load(); err == nil {
		if prev := h.host(ep.Host).account(ctx.Email); prev != nil {
			old, _ = ts.find(ep.Host, prev)
		}
	}
	// The token is stored and the context recorded in one critical section
	// of the hosts.yml lock, so two sign-ins to the same context at once
	// cannot leave one's token beside the other's token_id.
	err = st.update(func(h *hostsFile) error {
		storage, err := ts.save(ep.Host, ctx.Email, tok)
		if err != nil {
			return err
		}
		stored = true
		e := h.upsert(ep.Host, ctx)
		e.Scheme = ""
		if ep.Scheme != "https" {
			e.Scheme = ep.Scheme
		}
		e.Path = ep.Path
		e.InsecureTLS = ep.Insecure
		e.CurrentAccount = ctx.Email
		h.CurrentHost = ep.Host
		recordTokenStorage(h, ep.Host, ctx.Email, storage)
		return nil
	})
	if err != nil {
		return nil, token{}, stored, err
	}
	return ctx, old, true, nil
}

// loginSummary is the two stdout lines of a successful sign-in.
func (a *app) loginSummary(host string, c *contextEntry) string {
	check := a.colors(a.stdoutTTY).green("✓")
	line := fmt.Sprintf("%s Logged in to %s as %s", check, sanitize(host), sanitize(c.email()))
	switch {
	case c.isExternal():
		line += " " + ssoSuffix(c.External.Issuer)
	case c.Account.Name != "":
		line += " (" + sanitize(c.Account.Name) + ")"
	}
	line += "\n"
	if c.Workspace != nil {
		line += "  Workspace: " + sanitize(c.Workspace.Name) + "\n"
	}
	return line
}

// loginEndpoint resolves --host, or asks for it in a terminal.
func (a *app) loginEndpoint(rawHost string, insecure bool) (endpoint, error) {
	if strings.TrimSpace(rawHost) != "" {
		return a.resolveLoginHost(rawHost, insecure)
	}
	if !a.canAsk() {
		return endpoint{}, missingArg("--host is required (no TTY)",
			"pass the host explicitly, e.g. 'difyctl auth login --host cloud.dify.ai'")
	}
	example := "https://your-dify.com"
	if insecure {
		example = "https://cloud.dify.ai or http://localhost"
	}
	in := newLineReader(a.stdin)
	for {
		fmt.Fprintf(a.stderr, "Enter Dify host URL (e.g. %s) [default: %s]: ", example, defaultHost)
		line, err := in.readLine(a.ctx)
		if err != nil {
			if err == errInterrupted {
				return endpoint{}, err
			}
			return endpoint{}, missingArg("input closed before a valid value was provided", "pass --host <url>")
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.EqualFold(line, "y") || strings.EqualFold(line, "yes") {
			line = defaultHost
		}
		ep, err := a.resolveLoginHost(line, insecure)
		if err == nil {
			return ep, nil
		}
		e := asCLIError(err)
		fmt.Fprintf(a.stderr, "  %s %s — %s\n", a.colors(a.stderrTTY).red("✗"), e.Message, e.Hint)
	}
}

var logoutCommand = &command{
	path:    "auth logout",
	summary: "Log out of the active Dify host",
	usage:   "auth logout",
	long: "Revokes the active context's session on the server, then deletes its token and its\n" +
		"hosts.yml entry. The local cleanup always happens: if the revoke fails, a warning is\n" +
		"printed and the credentials are cleared anyway. Other contexts are untouched, and none\n" +
		"of them is made active.",
	examples: []string{"difyctl auth logout"},
	exits:    [][2]string{{"0", "Signed out"}, {"4", "Not signed in (not_logged_in)"}},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		return func(a *app, args []string) error { return a.logout() }
	},
}

func (a *app) logout() error {
	st, err := a.store()
	if err != nil {
		return err
	}
	h, err := st.load()
	if err != nil {
		return err
	}
	e, c := h.active()
	if c == nil {
		return notLoggedIn()
	}
	if err := a.checkEndpoint(endpointOf(e)); err != nil {
		return err
	}
	host, email := e.Host, c.Email
	ts, err := a.tokenStore()
	if err != nil {
		return err
	}
	tok, err := ts.find(host, c)
	switch {
	case err == nil && revocable(tok):
		if err := a.revokeSelf(endpointOf(e), tok); err != nil {
			a.warn("server revoke failed (" + sanitize(asCLIError(err).Message) + "); local credentials cleared anyway")
		}
	case err != nil && err != errNoCredential:
		a.warn("could not read the stored token (" + sanitize(asCLIError(err).Message) + "); server revoke skipped, local credentials cleared anyway")
	}
	if err := ts.forget(host, c); err != nil {
		a.warn("could not delete the stored token (" + sanitize(asCLIError(err).Message) + ")")
	}
	remaining := 0
	err = st.update(func(h *hostsFile) error {
		h.remove(host, email)
		remaining = h.count()
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.writeString(a.colors(a.stdoutTTY).green("✓") + " Logged out of " + sanitize(host) + "\n"); err != nil {
		return err
	}
	if remaining > 0 {
		a.warn(fmt.Sprintf("no context is active now; you have %s elsewhere — pick one with 'difyctl use host' and 'difyctl use account'", plural(remaining, "other sign-in")))
	}
	return nil
}

// revocable reports tokens the server can revoke: device-flow tokens only.
func revocable(t token) bool {
	s := t.reveal()
	return strings.HasPrefix(s, "dfoa_") || strings.HasPrefix(s, "dfoe_")
}

// revokeSelf ends the session of tok at the server.
func (a *app) revokeSelf(ep endpoint, tok token) error {
	c, err := a.newAPIClient(ep, tok)
	if err != nil {
		return err
	}
	_, err = c.do(a.ctx, request{method: "DELETE", path: "account/sessions/self", noRetry: true})
	return err
}
