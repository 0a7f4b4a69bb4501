package main

// auth.go: auth whoami and auth list (local), auth logout, auth token and
// auth status, and the DIFY_TOKEN environment sign-in.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

var whoamiCommand = &command{
	quick:   true,
	path:    "auth whoami",
	summary: "Print the active subject's identity",
	usage:   "auth whoami [--json]",
	long: "Reads the active context from hosts.yml without contacting the server: it answers\n" +
		"\"which identity is active\", not \"is the token still valid\" (see 'difyctl auth status').\n" +
		"With DIFY_TOKEN set there is no stored context: whoami then asks the server who the\n" +
		"token belongs to (GET /openapi/v1/account on DIFY_HOST), so it needs the network.",
	examples: []string{"difyctl auth whoami", "difyctl auth whoami --json"},
	exits: [][2]string{
		{"0", "An active context exists"},
		{"1", "Under DIFY_TOKEN: the server could not be reached, or failed"},
		{"2", "Under DIFY_TOKEN: a bad DIFY_TOKEN or DIFY_HOST value"},
		{"4", "Not signed in (not_logged_in); under DIFY_TOKEN, the server rejected the token"},
		{"7", "Under DIFY_TOKEN: rate limited (HTTP 429)"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		asJSON := fs.Bool("json", false, "Emit JSON instead of the plain-text line")
		return func(a *app, args []string) error { return a.whoami(*asJSON) }
	},
}

func (a *app) whoami(asJSON bool) error {
	env, err := a.fromEnv()
	if err != nil {
		return err
	}
	var c *contextEntry
	if env != nil {
		// Under DIFY_TOKEN there is no local context, so the server says
		// who the token belongs to.
		a.interruptible()
		client, err := env.client(a)
		if err != nil {
			return err
		}
		if c, err = a.fetchAccount(client); err != nil {
			return err
		}
	} else {
		_, h, err := a.hosts()
		if err != nil {
			return err
		}
		if _, c = h.active(); c == nil {
			return notLoggedIn()
		}
	}
	switch {
	case !asJSON:
		return a.writeString(identityText(c) + "\n")
	case c.isExternal():
		return a.write(marshalLine(struct {
			SubjectType string `json:"subject_type"`
			Email       string `json:"email"`
			Issuer      string `json:"issuer"`
		}{"external_sso", c.email(), c.External.Issuer}))
	}
	return a.write(marshalLine(accountInfo{c.Account.ID, c.email(), c.Account.Name}))
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
	exits: [][2]string{{"0", "Success, including when no contexts are stored"}, {"1", "hosts.yml could not be read (config_invalid)"},
		{"2", "Usage error, such as an unsupported -o value"}},
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
		return newError(codeIllegalArgument,
			fmt.Sprintf("illegal value %s for flag --output / -o", format),
			"supported value: json, yaml, name")
	}
	_, h, err := a.hosts()
	if err != nil {
		return err
	}
	rows := contextRows(h)
	switch format {
	case "json":
		return writeContextsJSON(a.stdout, rows)
	case "yaml":
		return a.write(contextsYAML(rows))
	case "name":
		// Emails joined by newlines plus a final one, as the official
		// client prints them: no contexts is a single empty line.
		if len(rows) == 0 {
			return a.writeString("\n")
		}
		var out []byte
		for _, r := range rows {
			out = append(append(out, sanitize(r.Account)...), '\n')
		}
		return a.write(out)
	}
	table := make([][]string, len(rows))
	for i, r := range rows {
		mark := ""
		if r.Active {
			mark = "*"
		}
		table[i] = []string{r.Host, emailWithName(r.Account, r.Name), mark}
	}
	return renderTable(a.stdout, []string{"HOST", "ACCOUNT", "ACTIVE"}, table)
}

// contextRows lists every host × account in file order.
func contextRows(h *hostsFile) []contextRow {
	rows := make([]contextRow, 0, h.count())
	for _, e := range h.Hosts {
		for _, c := range e.Accounts {
			rows = append(rows, contextRow{
				Host:    e.Host,
				Account: c.Email,
				Name:    c.Account.Name,
				Active:  h.CurrentHost == e.Host && e.CurrentAccount == c.Email,
			})
		}
	}
	return rows
}

// writeContextsJSON writes {"contexts": […]} with a 2-space indent, as
// the official client's JSON.stringify(v, null, 2) does.
func writeContextsJSON(w io.Writer, rows []contextRow) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Contexts []contextRow `json:"contexts"`
	}{rows}); err != nil {
		return err
	}
	_, err := w.Write(escapeInvisible(buf.Bytes()))
	return err
}

// contextsYAML writes the contexts as marshalYAML would write them
// (js-yaml's layout, strings quoted when needed).
func contextsYAML(rows []contextRow) []byte {
	if len(rows) == 0 {
		return []byte("contexts: []\n")
	}
	b := []byte("contexts:\n")
	for _, r := range rows {
		b = append(b, "  - host: "...)
		b = append(b, yamlQuote(r.Host)...)
		b = append(b, "\n    account: "...)
		b = append(b, yamlQuote(r.Account)...)
		b = append(b, "\n    name: "...)
		b = append(b, yamlQuote(r.Name)...)
		b = append(b, "\n    active: "...)
		b = append(strconv.AppendBool(b, r.Active), '\n')
	}
	return b
}

var logoutCommand = &command{
	path:           "auth logout",
	changesSignIns: true,
	summary:        "Log out of the active Dify host",
	usage:          "auth logout",
	long: "Revokes the active context's session on the server, then deletes its token and its\n" +
		"hosts.yml entry. The local cleanup always happens: if the revoke fails, a warning is\n" +
		"printed and the credentials are cleared anyway. Whatever could not be removed here is\n" +
		"named, with where it is and how to remove it by hand, and the exit is 1. Other contexts\n" +
		"are untouched, and none of them is made active.",
	examples: []string{"difyctl auth logout"},
	exits: [][2]string{{"0", "Signed out"}, {"1", "A token or the context could not be removed locally (credential_unwritable)"},
		{"4", "Not signed in (not_logged_in)"}, {"130", "Interrupted: cleared locally, the server session is still active"}},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		return func(a *app, args []string) error { return a.logout() }
	},
}

func (a *app) logout() error {
	st, h, err := a.hosts()
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
	revoked := false
	// serverNote is said once the local cleanup is done, when it says
	// what became of the server session.
	serverNote := ""
	tok, _, err := ts.find(h, e, c)
	switch {
	case err != nil && asCLIError(err).Code == codeConfigInsecure:
		return err // another user could have changed these files: touch nothing
	case err == nil && revocable(tok):
		if err = a.revokeSelf(endpointOf(e), tok, 0); err == nil {
			revoked = true
		} else if !errors.Is(err, errInterrupted) {
			serverNote = "server revoke failed (" + asCLIError(err).Message + ")"
		}
	case errors.Is(err, errInterrupted):
	case err != nil && !errors.Is(err, errNoCredential):
		serverNote = "could not read the stored token (" + asCLIError(err).Message + "); server revoke skipped: the session stays active, " + endSession(c)
	}
	interrupted := errors.Is(err, errInterrupted) || (a.ctx != nil && a.ctx.Err() != nil)
	if interrupted && a.ctx != nil {
		// Ctrl-C ended the wait on the server; the local cleanup still
		// runs to the end (a second Ctrl-C is caught and ignored: it is
		// short and bounded, and must not leave a lock file behind).
		a.ctx = context.WithoutCancel(a.ctx)
	}
	left, remaining, kept := signOut(st, ts, host, c)
	if errors.Is(err, errNoCredential) && len(left) > 0 {
		// No store gave the token, but one that could not be reached
		// may hold it: the session it belongs to was not ended.
		serverNote = "the stored token could not be read; server revoke skipped: the session stays active, " + endSession(c)
	}
	if kept != nil {
		left = append(left, kept)
	}
	if serverNote != "" {
		if len(left) == 0 {
			serverNote += "; local credentials cleared anyway"
		}
		a.warn(serverNote)
	}
	if interrupted {
		if !revoked {
			a.warn("interrupted: the server session of " + email + " on " + host + " is still active; " + endSession(c))
		}
		for _, e := range left {
			a.warn("not removed: " + e.Message + "; " + e.Hint)
		}
		a.otherSignIns(remaining)
		return errInterrupted
	}
	if len(left) > 0 {
		return logoutIncomplete(host, left)
	}
	if err := a.writeString(a.colors(a.stdoutTTY).green("✓") + " Logged out of " + sanitize(host) + "\n"); err != nil {
		return err
	}
	a.otherSignIns(remaining)
	return nil
}

// endSession tells how to end a session that logout left at the server:
// from another sign-in of the account, or by signing in again here (the
// server replaces a session of the same account and device label).
func endSession(c *contextEntry) string {
	cmd := "'difyctl auth devices revoke'"
	if c.TokenID != "" {
		cmd = "'difyctl auth devices revoke " + c.TokenID + "'"
	}
	return "end it with " + cmd + " from another sign-in of that account, or sign in again on this machine, which replaces it"
}

// signOut deletes the token of host+c.Email from every store, then its
// context from hosts.yml, under one OS lock, as a sign-in stores its token
// and records its context under it. Otherwise a sign-in of the same
// account that lands in between loses its context and keeps a live token
// that no command reaches. A context that such a sign-in replaced since c
// was read (another token_id) is left whole. left lists where the token
// may still be (forgetEach); kept, when not nil, says why the context is
// still in hosts.yml, and remaining is then -1, else the sign-ins left.
func signOut(st *store, ts *credentialChain, host string, c *contextEntry) (left []*cliError, remaining int, kept *cliError) {
	stillThere := func(why error) *cliError {
		e := asCLIError(why)
		return newError(e.Code,
			fmt.Sprintf("the context %s on %s is still in %s (%s)", c.Email, host, filepath.Join(st.dir, hostsFileName), e.Message),
			"run 'difyctl auth logout' again")
	}
	tx, err := st.exclusive()
	if err != nil {
		return nil, -1, stillThere(err)
	}
	defer tx.release()
	h, err := st.load()
	if err != nil {
		return nil, -1, stillThere(err)
	}
	if now := h.host(host).account(c.Email); now != nil && now.TokenID != c.TokenID {
		return nil, -1, newError(codeConfigLocked,
			fmt.Sprintf("%s signed in again on %s while this command ran; that new sign-in is kept", c.Email, host),
			"run 'difyctl auth logout' again to sign it out")
	}
	left = ts.forgetEach(tx, h, host, c)
	err = tx.update(func(h *hostsFile) error {
		h.remove(host, c.Email)
		remaining = h.count()
		return nil
	})
	if err != nil {
		return left, -1, stillThere(err)
	}
	return left, remaining, nil
}

// otherSignIns says, after a logout, how to pick one of the n sign-ins
// left, none of which is active.
func (a *app) otherSignIns(n int) {
	if n > 0 {
		a.warn(fmt.Sprintf("no context is active now; you have %s — pick one with 'difyctl use host' and 'difyctl use account'", plural(n, "other sign-in")))
	}
}

// logoutIncomplete is the failure of a logout that could not remove
// everything locally: each thing left, where, and how to remove it by
// hand.
func logoutIncomplete(host string, left []*cliError) error {
	msgs := make([]string, len(left))
	hints := make([]string, len(left))
	for i, e := range left {
		msgs[i], hints[i] = e.Message, e.Hint
	}
	return newError(codeCredentialUnwritable,
		"not fully logged out of "+host+": "+strings.Join(msgs, "; "),
		strings.Join(hints, "; "))
}

// revokeSelf ends the session of tok at the server, within limit when it
// is not zero (a best-effort revoke that must not hold the command up).
func (a *app) revokeSelf(ep endpoint, tok token, limit time.Duration) error {
	ctx := a.ctx
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	c, err := a.newAPIClient(ep, tok)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: "account/sessions/self", noRetry: true})
	return err
}

// ---- DIFY_TOKEN: the environment sign-in --------------------------------

// envSignIn is a sign-in given by the environment (DIFY_TOKEN, DIFY_HOST)
// rather than by hosts.yml. Under it nothing in the config dir is read or
// written, not even a lock: the commands that honour it check for it
// before they touch the store.
type envSignIn struct {
	ep  endpoint
	tok token
}

// envTokenHint is the hint of every refusal that DIFY_TOKEN causes.
const envTokenHint = "unset DIFY_TOKEN to use the sign-ins stored in hosts.yml"

// fromEnv returns the environment sign-in, or nil when DIFY_TOKEN is unset
// or empty. A DIFY_TOKEN or DIFY_HOST that cannot be used is a usage
// error (exit 2); the token's value never appears in it.
func (a *app) fromEnv() (*envSignIn, error) {
	raw := a.getenv("DIFY_TOKEN")
	if raw == "" {
		return nil, nil
	}
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > maxTokenBytes {
		return nil, newError(codeUsageInvalidFlag, "DIFY_TOKEN is set but holds no usable token", "set DIFY_TOKEN to a Dify access token, or unset it")
	}
	if shapeOf(s) == shapeNone {
		return nil, newError(codeUsageInvalidFlag, "DIFY_TOKEN contains spaces or control characters; a token has none", "set DIFY_TOKEN to a Dify access token, or unset it")
	}
	ep, err := envHost(a.getenv("DIFY_HOST"))
	if err != nil {
		return nil, err
	}
	return &envSignIn{ep: ep, tok: newToken(s)}, nil
}

// client is the API client of the environment sign-in; it warns when the
// traffic is not encrypted.
func (env *envSignIn) client(a *app) (*apiClient, error) {
	if env.ep.Scheme == "http" {
		a.warn("DIFY_HOST uses http://: traffic to " + env.ep.Host + " is not encrypted")
	}
	c, err := a.newAPIClient(env.ep, env.tok)
	if err == nil {
		// Signing in again is not the way out: login refuses while
		// DIFY_TOKEN is set.
		c.relogin = "the server rejected DIFY_TOKEN: set it to a live token, or unset it to use a stored sign-in"
	}
	return c, err
}

// envHost resolves DIFY_HOST: a URL, https, or http on a loopback address
// only; empty means https://cloud.dify.ai.
func envHost(raw string) (endpoint, error) {
	const hint = "set DIFY_HOST to an https:// URL (http:// only on a loopback address such as http://127.0.0.1:5001)"
	if strings.TrimSpace(raw) == "" {
		raw = defaultHost
	}
	ep, err := resolveHost(raw, true)
	if err != nil {
		return endpoint{}, newError(codeUsageInvalidFlag, "DIFY_HOST: "+asCLIError(err).Message, hint)
	}
	if ep.Scheme == "https" {
		ep.Insecure = false
		return ep, nil
	}
	host := ep.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return endpoint{}, newError(codeUsageInvalidFlag, fmt.Sprintf("DIFY_HOST: http:// is accepted only on a loopback address, not %s", ep.Host), hint)
	}
	// http needs the insecure switch of the API client; there is no TLS
	// to skip, so it changes nothing else.
	ep.Insecure = true
	return ep, nil
}

// fetchAccount calls GET /openapi/v1/account and turns the answer into a
// context: account, default workspace, external subject.
func (a *app) fetchAccount(c *apiClient) (*contextEntry, error) {
	req := request{method: http.MethodGet, path: "account"}
	resp, err := c.do(a.ctx, req)
	if err != nil {
		return nil, err
	}
	var g grant
	if err := c.decodeJSON(req, resp, &g); err != nil {
		return nil, err
	}
	ce, err := contextFromGrant(&g)
	if e, ok := errors.AsType[*cliError](err); ok && e.Code == codeNotLoggedIn {
		// The server took the token; its reply is what is wrong.
		return nil, c.httpError(req, c.requestURL(req), codeServerBadResponse, "the server's account reply has no email for the signed-in subject", "", resp.status)
	}
	return ce, err
}

// ---- auth token --------------------------------------------------------

var tokenCommand = &command{
	// Not quick: reading the OS credential store may wait (an unlock
	// prompt), and Ctrl-C must end that the usual way.
	path:    "auth token",
	summary: "Print the access token of the active context",
	usage:   "auth token [--host <host>] [--email <email>]",
	long: "Prints the bearer token of the active context, or of the one --host and --email name,\n" +
		"followed by a newline, and nothing else on stdout: use it to call the Dify API from\n" +
		"scripts. It is the one command that prints a secret; keep its output out of logs.\n" +
		"With DIFY_TOKEN set, prints that token. Reads local files only.",
	examples: []string{
		`curl -H "Authorization: Bearer $(difyctl auth token)" https://cloud.dify.ai/openapi/v1/account`,
		"difyctl auth token --host dify.example.com --email ci-bot@example.com",
	},
	exits: [][2]string{
		{"0", "The token was printed"},
		{"1", "The config file or the credential store could not be read"},
		{"2", "Usage error, such as --host/--email while DIFY_TOKEN is set, or a bad DIFY_HOST"},
		{"4", "No such sign-in, or no token stored for it (not_logged_in)"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		host := fs.String("host", "", "The stored `host` whose token to print (default: the active host)")
		email := fs.String("email", "", "The `email` of the account on that host (default: its active account)")
		return func(a *app, args []string) error { return a.printToken(*host, *email) }
	},
}

func (a *app) printToken(hostArg, email string) error {
	env, err := a.fromEnv()
	if err != nil {
		return err
	}
	if env != nil {
		if hostArg != "" || email != "" {
			return newError(codeUsageInvalidFlag, "--host and --email pick a stored sign-in, which is not used while DIFY_TOKEN is set", envTokenHint)
		}
		return a.writeString(env.tok.reveal() + "\n")
	}
	_, h, err := a.hosts()
	if err != nil {
		return err
	}
	host := h.CurrentHost
	if hostArg != "" {
		host = normalizeHostArg(hostArg)
	}
	e := h.host(host)
	if email == "" && e != nil {
		email = e.CurrentAccount
	}
	c := findAccount(e, email)
	if c == nil {
		if hostArg == "" && email == "" {
			return notLoggedIn()
		}
		return newError(codeNotLoggedIn, fmt.Sprintf("no sign-in for %s on %s", orDefault(email, "any account"), orDefault(host, "no host")),
			"run 'difyctl auth list' to see your sign-ins, or 'difyctl auth login' to add one")
	}
	tok, _, err := a.storedToken(h, e, c)
	if err != nil {
		return err
	}
	if shapeOf(tok.reveal()) == shapeNone {
		return newError(codeCredentialUnreadable, fmt.Sprintf("the token stored for %s on %s contains characters a token cannot have", c.Email, e.Host),
			reloginHint(e))
	}
	return a.writeString(tok.reveal() + "\n")
}

// ---- auth status -------------------------------------------------------

var statusCommand = &command{
	path:    "auth status",
	summary: "Check with the server that the active sign-in still works",
	usage:   "auth status [--json]",
	long: "Calls GET /openapi/v1/account with the active context's token and prints the host, the\n" +
		"account, the workspace and the token's expiry, then '✓ valid'. Where whoami answers\n" +
		"\"which identity is active\" from local files, status answers \"does it still work\".\n" +
		"A token the server rejects, or one past its recorded expiry, prints the same report\n" +
		"ending in '✗' (valid: false under --json) and exits 4. Never changes any file.\n" +
		"With DIFY_TOKEN set, checks that token on DIFY_HOST.",
	examples: []string{
		"difyctl auth status",
		"difyctl auth status --json",
		"difyctl auth status >/dev/null || difyctl auth login",
	},
	exits: [][2]string{
		{"0", "The sign-in works"},
		{"1", "The server could not be reached, or failed"},
		{"2", "Usage error, such as a bad DIFY_HOST"},
		{"4", "Not signed in, or the token was rejected (HTTP 401) or has expired"},
		{"6", "The server rejected this difyctl as too old"},
		{"7", "Rate limited (HTTP 429)"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		asJSON := fs.Bool("json", false, "Emit one JSON object: host, account, workspace, token_expires_at, valid")
		return func(a *app, args []string) error { return a.status(*asJSON) }
	},
}

// statusReport is `auth status --json`.
type statusReport struct {
	Host           string         `json:"host"`
	Account        *accountInfo   `json:"account"`
	Workspace      *workspaceInfo `json:"workspace"`
	TokenExpiresAt *string        `json:"token_expires_at"`
	Valid          bool           `json:"valid"`
}

func (a *app) status(asJSON bool) error {
	s, err := a.activeSession()
	if err != nil {
		return err
	}
	known := s.ctx // what hosts.yml says; empty under DIFY_TOKEN
	var expires *string
	expired := false
	if known.TokenExpiresAt != "" {
		v := known.TokenExpiresAt
		expires = &v
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && !a.now().Before(t) {
			expired = true
		}
	}
	var checkErr error
	ctx := known
	if expired {
		checkErr = newError(codeAuthExpired, "the token expired at "+known.TokenExpiresAt, reloginHint(s.host))
	} else {
		stop := func() {}
		if !asJSON {
			stop = a.startSpinner("Checking sign-in")
		}
		fresh, err := a.fetchAccount(s.client)
		stop()
		switch {
		case err == nil:
			ctx = fresh
			if ctx.Workspace == nil || s.env == nil && known.Workspace != nil {
				ctx.Workspace = known.Workspace
			}
		case asCLIError(err).Code == codeAuthExpired:
			checkErr = err
		case notAnAccountToken(err):
			// Valid, and what hosts.yml says is all there is to show.
		default:
			return err // unreachable, rate limited, server failure: no verdict
		}
	}
	rep := statusReport{Host: s.host.Host, Workspace: ctx.Workspace, TokenExpiresAt: expires, Valid: checkErr == nil}
	if ctx.email() != "" {
		rep.Account = &accountInfo{ctx.Account.ID, ctx.email(), ctx.Account.Name}
	}
	var out []byte
	if asJSON {
		out = marshalLine(rep)
	} else {
		out = []byte(a.statusText(rep, ctx, checkErr))
	}
	if err := a.write(out); err != nil {
		return err
	}
	return checkErr
}

// notAnAccountToken reports a 403 unsupportedTokenType: the token was
// accepted, but it is an external SSO one.
func notAnAccountToken(err error) bool {
	ce, ok := errors.AsType[*cliError](err)
	return ok && ce.HTTPStatus == http.StatusForbidden && ce.Message == unsupportedTokenType
}

// statusText is the human report of auth status.
func (a *app) statusText(rep statusReport, ctx *contextEntry, checkErr error) string {
	account, workspace, expires := "unknown", "none", "unknown"
	if ctx.isExternal() || rep.Account != nil {
		account = identityText(ctx)
	}
	if rep.Workspace != nil {
		workspace = sanitize(rep.Workspace.Name)
	}
	if rep.TokenExpiresAt != nil {
		expires = sanitize(*rep.TokenExpiresAt)
	}
	var b strings.Builder
	for _, row := range [][2]string{{"Host", sanitize(rep.Host)}, {"Account", account}, {"Workspace", workspace}, {"Expires", expires}} {
		fmt.Fprintf(&b, "%-10s %s\n", row[0]+":", row[1])
	}
	c := a.colors(a.stdoutTTY)
	if checkErr == nil {
		b.WriteString(c.green("✓") + " valid\n")
	} else {
		b.WriteString(c.red("✗") + " not valid: " + sanitize(asCLIError(checkErr).Message) + "\n")
	}
	return b.String()
}
