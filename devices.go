package main

// devices.go: auth devices list and auth devices revoke — the server-side
// sessions of the active account.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	defaultLimit    = 20
	maxLimit        = 200
	maxRevokePages  = 100
	sessionsAPIPath = "account/sessions"
)

const devicesListUsage = "auth devices list [--json] [--page <n>] [--limit <n>]"

var devicesListCommand = &command{
	path:    "auth devices list",
	summary: "List active sessions for the current bearer",
	usage:   devicesListUsage,
	long: "Every device-flow sign-in registers a server-side session, labelled 'difyctl on <hostname>'.\n" +
		"This lists the sessions active for your account so you can spot and revoke ones you\n" +
		"don't recognise. The session your current sign-in uses is marked with *.\n" +
		"With DIFY_TOKEN set, lists the sessions of that token's account on DIFY_HOST.",
	examples: []string{
		"difyctl auth devices list",
		"difyctl auth devices list --limit 50 --page 2",
		"difyctl auth devices list --json",
	},
	exits: [][2]string{
		{"0", "Success"},
		{"1", "Network or server error"},
		{"2", "Usage error, such as --limit 0"},
		{"4", "Authentication failure (not signed in, session expired or revoked)"},
		{"7", "Rate limited (HTTP 429)"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		asJSON := fs.Bool("json", false, "Emit the server's JSON envelope on one line instead of the table")
		page := fs.String("page", "1", "Page number `n` (default 1)")
		limit := fs.String("limit", "", "Page size `n`, 1 to 200 (default 20; the flag wins, then DIFY_LIMIT)")
		return func(a *app, args []string) error { return a.devicesList(*asJSON, *page, *limit) }
	},
}

// sessionRow is one server-side session. Unknown fields are not needed here:
// --json prints the server's bytes.
type sessionRow struct {
	ID          string  `json:"id"`
	Prefix      string  `json:"prefix"`
	ClientID    string  `json:"client_id"`
	DeviceLabel string  `json:"device_label"`
	CreatedAt   *string `json:"created_at"`
	LastUsedAt  *string `json:"last_used_at"`
	ExpiresAt   *string `json:"expires_at"`
}

// sessionPage is the paginated envelope, or the oldest servers' unpaginated
// {"sessions":[…]}.
type sessionPage struct {
	Page     int          `json:"page"`
	Limit    int          `json:"limit"`
	Total    int          `json:"total"`
	HasMore  bool         `json:"has_more"`
	Data     []sessionRow `json:"data"`
	Sessions []sessionRow `json:"sessions"`
	legacy   bool
}

func (a *app) devicesList(asJSON bool, pageArg, limitArg string) error {
	limit, lerr := pageLimit(limitArg, a.getenv("DIFY_LIMIT"))
	if lerr != nil {
		if limitArg != "" {
			lerr.Hint += "; " + usageHint(devicesListUsage)
		}
		return lerr
	}
	page, perr := positiveInt("--page", pageArg, 1<<30)
	if perr != nil {
		perr.Hint = strings.TrimPrefix(perr.Hint+"; ", "; ") + usageHint(devicesListUsage)
		return perr
	}
	s, err := a.activeSession()
	if err != nil {
		return err
	}
	stop := func() {}
	if !asJSON {
		stop = a.startSpinner("Fetching devices")
	}
	p, raw, err := s.fetchPage(a, page, limit)
	stop()
	if err != nil {
		return err
	}
	if asJSON {
		if p.legacy {
			raw = marshalLine(legacyEnvelope(p, limit))
		} else {
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return newError(codeServerBadResponse, "the server's session list is not valid JSON", "")
			}
			buf.WriteByte('\n')
			raw = buf.Bytes()
		}
		return a.write(escapeInvisible(raw))
	}
	rows := make([][]string, len(p.Data))
	for i, r := range p.Data {
		mark := ""
		if r.ID != "" && r.ID == s.ctx.TokenID {
			mark = "*"
		}
		rows[i] = []string{r.label(), tableTime(deref(r.CreatedAt)), tableTime(deref(r.LastUsedAt)), mark}
	}
	if err := renderTable(a.stdout, []string{"DEVICE", "CREATED", "LAST USED", "CURRENT"}, rows); err != nil {
		return err
	}
	if p.HasMore && !p.legacy {
		fmt.Fprintln(a.stderr, pagingLine(page, limit, len(p.Data), p.Total, limitArg != ""))
	}
	return nil
}

// pagingLine tells, on stderr, that the table is one page of several and
// which flags fetch the next: `showing 1–20 of 30; next: --page 2`.
func pagingLine(page, limit, n, total int, limitGiven bool) string {
	first := (page-1)*limit + 1
	shown := fmt.Sprintf("showing %d–%d", first, first+max(n, 1)-1)
	if total > 0 {
		shown += fmt.Sprintf(" of %d", total)
	}
	next := fmt.Sprintf("--page %d", page+1)
	if limitGiven || limit != defaultLimit {
		next += fmt.Sprintf(" --limit %d", limit)
	}
	return shown + "; next: " + next
}

// tableTime writes a server timestamp as UTC to the second
// (2026-06-02T09:14:31Z), as the seed's table shows it. A value that does
// not parse is shown as sent (the table sanitizes it).
func tableTime(v string) string {
	if v == "" {
		return ""
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC().Format("2006-01-02T15:04:05Z")
		}
	}
	return v
}

// legacyEnvelope turns {"sessions":[…]} into the envelope scripts expect.
func legacyEnvelope(p *sessionPage, limit int) any {
	data := p.Data
	if data == nil {
		data = []sessionRow{}
	}
	return struct {
		Page    int          `json:"page"`
		Limit   int          `json:"limit"`
		Total   int          `json:"total"`
		HasMore bool         `json:"has_more"`
		Data    []sessionRow `json:"data"`
	}{1, max(limit, len(data)), len(data), false, data}
}

func (r sessionRow) label() string {
	if r.DeviceLabel != "" {
		return r.DeviceLabel
	}
	return r.ID
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pageLimit picks the page size: the flag, then DIFY_LIMIT, then 20, and
// names the source of a bad value.
func pageLimit(flagValue, envValue string) (int, *cliError) {
	switch {
	case flagValue != "":
		return positiveInt("--limit", flagValue, maxLimit)
	case envValue != "":
		return positiveInt("DIFY_LIMIT", envValue, maxLimit)
	}
	return defaultLimit, nil
}

// positiveInt parses an integer in 1..max, naming where it came from.
func positiveInt(source, v string, maxValue int) (int, *cliError) {
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, newError(codeUsageInvalidFlag, fmt.Sprintf("%s: %s is not a number", source, quoted(truncate(v, 40))), "pass an integer")
	}
	if n < 1 || n > maxValue {
		if maxValue == maxLimit {
			return 0, newError(codeUsageInvalidFlag, fmt.Sprintf("%s: %d out of range [1..%d]", source, n, maxValue), "pass a page size from 1 to 200")
		}
		return 0, newError(codeUsageInvalidFlag, fmt.Sprintf("%s: %d out of range (must be 1 or more)", source, n), "")
	}
	return n, nil
}

// session is the active context with an API client that carries its token.
type session struct {
	hosts  *hostsFile // as loaded; nil under DIFY_TOKEN
	host   *hostEntry
	ctx    *contextEntry
	client *apiClient
	// env is set when the session comes from DIFY_TOKEN: host and ctx
	// are then stand-ins, and no local file belongs to it.
	env *envSignIn
}

// activeSession loads the active context and its token.
func (a *app) activeSession() (*session, error) {
	env, err := a.fromEnv()
	if err != nil {
		return nil, err
	}
	if env != nil {
		client, err := env.client(a)
		if err != nil {
			return nil, err
		}
		return &session{host: &hostEntry{Host: env.ep.Host}, ctx: &contextEntry{}, client: client, env: env}, nil
	}
	_, h, err := a.hosts()
	if err != nil {
		return nil, err
	}
	e, c := h.active()
	if c == nil {
		return nil, notLoggedIn()
	}
	tok, _, err := a.storedToken(h, e, c)
	if err != nil {
		return nil, err
	}
	client, err := a.newAPIClient(endpointOf(e), tok)
	if err != nil {
		return nil, err
	}
	client.relogin = reloginHint(e)
	return &session{hosts: h, host: e, ctx: c, client: client}, nil
}

// fetchPage gets one page of sessions, returning the decoded page and the
// raw body.
func (s *session) fetchPage(a *app, page, limit int) (*sessionPage, []byte, error) {
	req := request{method: http.MethodGet, path: sessionsAPIPath,
		query: url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(limit)}}}
	resp, err := s.client.do(a.ctx, req)
	if err != nil {
		return nil, nil, err
	}
	var p sessionPage
	if err := s.client.decodeJSON(req, resp, &p); err != nil {
		return nil, nil, err
	}
	if p.Data == nil && p.Sessions != nil {
		p.Data, p.Sessions, p.legacy = p.Sessions, nil, true
	}
	return &p, resp.body, nil
}

// fetchAll gets every session, 200 at a time, up to a hard page cap.
func (s *session) fetchAll(a *app) ([]sessionRow, error) {
	var all []sessionRow
	for page := 1; page <= maxRevokePages; page++ {
		p, _, err := s.fetchPage(a, page, maxLimit)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		if p.legacy || !p.HasMore || len(p.Data) == 0 {
			return all, nil
		}
	}
	return all, nil
}

var devicesRevokeCommand = &command{
	path:    "auth devices revoke",
	summary: "Revoke one or all session devices",
	usage:   "auth devices revoke [<target>] [--all] [-y|--yes]",
	long: "Ends sessions at the server. <target> matches by exact label first, then by exact session\n" +
		"id, then by case-insensitive label substring; a target matching several sessions fails\n" +
		"with the candidates listed. In a terminal you are asked to confirm. Revoking the session\n" +
		"your current sign-in uses also signs you out on this machine. With DIFY_TOKEN set, uses\n" +
		"that token; --all is then refused, as difyctl cannot tell which session the token is.",
	examples: []string{
		`difyctl auth devices revoke "difyctl on build-runner-3"`,
		"difyctl auth devices revoke 3f1c2d4e-0000-4000-8000-000000000000 --yes",
		"difyctl auth devices revoke --all",
	},
	exits: [][2]string{
		{"0", "Revoked, or nothing to revoke under --all"},
		{"1", "Network or server error (including some sessions that could not be revoked)"},
		{"2", "Usage error: no target and no --all, an ambiguous target, no matching session, or a declined prompt"},
		{"4", "Authentication failure"},
		{"7", "Rate limited (HTTP 429)"},
	},
	aliases: map[string]string{"y": "yes"},
	maxArgs: 1,
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		all := fs.Bool("all", false, "Revoke every session except the current one")
		yes := fs.Bool("yes", false, "Skip the confirmation prompt")
		fs.BoolVar(yes, "y", false, "Same as --yes")
		return func(a *app, args []string) error {
			target := ""
			if len(args) > 0 {
				target = args[0]
			}
			return a.devicesRevoke(target, *all, *yes)
		}
	},
}

func (a *app) devicesRevoke(target string, all, yes bool) error {
	if target == "" && !all {
		return newError(codeUsageMissingArg, "specify a device label / id, or pass --all", "see 'difyctl auth devices list'")
	}
	if target != "" && all {
		return newError(codeUsageInvalidFlag, "pass a target or --all, not both", "usage: difyctl auth devices revoke [<target>] [--all] [-y|--yes]")
	}
	s, err := a.activeSession()
	if err != nil {
		return err
	}
	if all && s.env != nil {
		// The server does not say which session a token belongs to, and
		// DIFY_TOKEN comes without the token_id that hosts.yml keeps:
		// --all would revoke the session in use too.
		return newError(codeUsageInvalidFlag, "--all cannot tell which session DIFY_TOKEN uses, so it would revoke that one too",
			"revoke sessions by label or id, or unset DIFY_TOKEN to use a stored sign-in")
	}
	if all && s.ctx.TokenID == "" {
		// The official client may write a context without one.
		return newError(codeUsageInvalidFlag,
			fmt.Sprintf("--all cannot tell which session is this sign-in's: hosts.yml records no token_id for %s on %s, so it would revoke that one too", s.ctx.Email, s.host.Host),
			"revoke sessions by label or id, or run "+inQuotes(loginCommandFor(s.host))+" to sign in again, which records it")
	}
	rows, err := s.fetchAll(a)
	if err != nil {
		return err
	}
	var chosen []sessionRow
	if all {
		for _, r := range rows {
			if r.ID != s.ctx.TokenID {
				chosen = append(chosen, r)
			}
		}
		if len(chosen) == 0 {
			return a.writeString("no sessions to revoke\n")
		}
	} else {
		r, err := matchSession(rows, target)
		if err != nil {
			return err
		}
		chosen = []sessionRow{r}
	}
	if !yes && a.canAsk() {
		a.listDoomed(chosen)
		ok, err := a.confirm(fmt.Sprintf("Revoke %d session(s)?", len(chosen)))
		if err != nil {
			return err
		}
		if !ok {
			return newError(codeUsageMissingArg, "aborted by user", "pass --yes to skip confirmation")
		}
	}
	revoked, selfHit, failures := s.revokeAll(a, chosen)
	if selfHit {
		a.forgetActive(s)
	}
	if len(failures) > 0 {
		c := a.colors(a.stderrTTY)
		for _, f := range failures {
			fmt.Fprintf(a.stderr, "%s %s (%s): %s\n", c.red("✗"), sanitize(f.row.label()), sanitize(f.row.ID), sanitize(asCLIError(f.err).Message))
		}
		if revoked > 0 || len(chosen) > 1 {
			a.warn(fmt.Sprintf("revoked %d of %d session(s)", revoked, len(chosen)))
		}
		return revokeFailure(failures, len(chosen))
	}
	return a.writeString(fmt.Sprintf("%s Revoked %d session(s)\n", a.colors(a.stdoutTTY).green("✓"), revoked))
}

// listDoomed shows on stderr which sessions the confirmation is about.
func (a *app) listDoomed(rows []sessionRow) {
	var b strings.Builder
	b.WriteString("About to revoke:\n")
	for _, line := range firstTen(rows, func(r sessionRow) string { return sanitize(r.label()) + " (" + sanitize(r.ID) + ")" }) {
		b.WriteString("  " + line + "\n")
	}
	io.WriteString(a.stderr, b.String())
}

// firstTen names rows, at most ten, then says how many more there are.
func firstTen(rows []sessionRow, name func(sessionRow) string) []string {
	out := make([]string, 0, min(len(rows), 11))
	for i, r := range rows {
		if i == 10 {
			return append(out, fmt.Sprintf("and %d more", len(rows)-10))
		}
		out = append(out, name(r))
	}
	return out
}

// matchSession finds the one session a target names: exact label, then
// exact id, then case-insensitive label substring. A label is matched as
// the server sent it and as the table shows it (sanitized), so a label
// holding escape sequences can be typed as it was read.
func matchSession(rows []sessionRow, target string) (sessionRow, error) {
	pick := func(match func(sessionRow) bool) []sessionRow {
		var out []sessionRow
		for _, r := range rows {
			if match(r) {
				out = append(out, r)
			}
		}
		return out
	}
	lower := strings.ToLower(target)
	for _, m := range [](func(sessionRow) bool){
		func(r sessionRow) bool { return r.DeviceLabel == target || sanitize(r.DeviceLabel) == target },
		func(r sessionRow) bool { return r.ID == target },
		func(r sessionRow) bool {
			return strings.Contains(strings.ToLower(r.DeviceLabel), lower) || strings.Contains(strings.ToLower(sanitize(r.DeviceLabel)), lower)
		},
	} {
		switch found := pick(m); {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			return sessionRow{}, ambiguous(target, found)
		}
	}
	return sessionRow{}, newError(codeUsageMissingArg, fmt.Sprintf("no session matches %s", quoted(target)), "see 'difyctl auth devices list'")
}

func ambiguous(target string, found []sessionRow) error {
	names := firstTen(found, func(r sessionRow) string { return r.DeviceLabel + " (" + r.ID + ")" })
	return newError(codeUsageInvalidFlag, fmt.Sprintf("%s matches multiple sessions: %s; pass an exact id to disambiguate", quoted(target), strings.Join(names, ", ")),
		"see 'difyctl auth devices list'")
}

type revokeFailed struct {
	row sessionRow
	err error
}

// revokeAll deletes the chosen sessions one by one, and says whether the
// current session was among those ended. No order is needed to keep the
// token working until the last delete: --all leaves the current session
// out (and is refused when hosts.yml does not say which it is), so it is
// only ever chosen alone. Ctrl-C, a rejected token and a rate limit stop
// it: every later delete would fail the same way.
func (s *session) revokeAll(a *app, rows []sessionRow) (revoked int, selfHit bool, failures []revokeFailed) {
	for _, r := range rows {
		_, err := s.client.do(a.ctx, request{method: http.MethodDelete, path: sessionsAPIPath + "/" + url.PathEscape(r.ID)})
		if err != nil {
			if a.ctx.Err() != nil {
				err = errInterrupted
			}
			failures = append(failures, revokeFailed{r, err})
			if code := asCLIError(err).Code; errors.Is(err, errInterrupted) || code == codeAuthExpired || code == codeRateLimited {
				break
			}
			continue
		}
		revoked++
		if r.ID != "" && r.ID == s.ctx.TokenID {
			selfHit = true
		}
	}
	return revoked, selfHit, failures
}

// revokeFailure sums up failed deletes: an auth or rate-limit failure keeps
// its own code (and exit code); anything else is a generic failure.
func revokeFailure(failures []revokeFailed, total int) error {
	if last := failures[len(failures)-1].err; errors.Is(last, errInterrupted) {
		return last
	}
	for _, code := range []string{codeAuthExpired, codeRateLimited} {
		for _, f := range failures {
			if e := asCLIError(f.err); e.Code == code {
				return e
			}
		}
	}
	if len(failures) == 1 {
		return failures[0].err
	}
	return newError(codeRevokeFailed, fmt.Sprintf("%d of %d session(s) could not be revoked", len(failures), total), "run 'difyctl auth devices list' and retry")
}

// forgetActive clears the active context locally after its session was
// revoked at the server.
func (a *app) forgetActive(s *session) {
	ts, err := a.tokenStore()
	var st *store
	if err == nil {
		st, err = a.store()
	}
	if err != nil {
		a.warn("could not clear the signed-out context (" + asCLIError(err).Message + ")")
		return
	}
	left, _, kept := signOut(st, ts, s.host.Host, s.ctx)
	if len(left) > 0 {
		// The session has ended, so the token left is dead; the context
		// goes anyway, so say how to remove the token by hand.
		msgs := make([]string, len(left))
		for i, e := range left {
			msgs[i] = e.Message
		}
		a.warn(strings.TrimSuffix("could not delete the stored token ("+strings.Join(msgs, "; ")+"); "+left[0].Hint, "; "))
	}
	if kept != nil {
		a.warn(kept.Message + "; " + kept.Hint)
		return
	}
	a.warn("the current session was revoked: you are signed out of " + s.host.Host + " on this machine")
}
