package main

// use.go: use host and use account, and the arrow-key picker they show in a
// terminal.

import (
	"flag"
	"fmt"
	"strings"
)

var useHostCommand = &command{
	path:           "use host",
	changesSignIns: true,
	summary:        "Switch the active host",
	usage:          "use host [--domain <host>]",
	long: "Re-points the active context among the sign-ins you already have. Local only;\n" +
		"to add a host, run 'difyctl auth login --host <url>'. In a terminal, omit --domain\n" +
		"to pick from your stored hosts.",
	examples: []string{"difyctl use host --domain dify.internal.acme.com", "difyctl use host"},
	exits: [][2]string{
		{"0", "Switched"},
		{"1", "hosts.yml could not be read or written (config_invalid, config_locked)"},
		{"2", "Unknown host, a missing --domain outside a terminal, or Esc in the picker"},
		{"4", "No stored sign-ins (not_logged_in)"},
		{"130", "Interrupted (Ctrl-C); nothing was written"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		domain := fs.String("domain", "", "The stored `host` to switch to, as its bare domain (dify.example.com)")
		return func(a *app, args []string) error { return a.useHost(*domain) }
	},
}

func (a *app) useHost(domain string) error {
	st, h, err := a.hosts()
	if err != nil {
		return err
	}
	if len(h.Hosts) == 0 {
		return notLoggedIn()
	}
	known := hostNames(h)
	if domain == "" {
		if !a.canPick() {
			return newError(codeUsageMissingArg, "--domain is required (no TTY); known hosts: "+strings.Join(known, ", "), "pass --domain <host>")
		}
		items := make([]string, len(h.Hosts))
		cur := -1 // none is current: no row is marked
		for i, e := range h.Hosts {
			items[i] = fmt.Sprintf("%s  (%s)", e.Host, plural(len(e.Accounts), "account"))
			if e.Host == h.CurrentHost {
				cur = i
			}
		}
		i, err := a.pick("Select a host", items, cur)
		if err != nil {
			return err
		}
		domain = h.Hosts[i].Host
	}
	domain = normalizeHostArg(domain)
	target := h.host(domain)
	if target == nil {
		return newError(codeUsageInvalidFlag, fmt.Sprintf("unknown host %s; known hosts: %s", quoted(domain), strings.Join(known, ", ")),
			"run 'difyctl auth login --host <url>' to add a host")
	}
	// A host with no current account would leave nobody signed in: one
	// account becomes current; among several, a person at a terminal
	// picks, anyone else is told how.
	account := ""
	noCurrent := target.account(target.CurrentAccount) == nil && len(target.Accounts) > 0
	if noCurrent {
		switch {
		case len(target.Accounts) == 1:
			account = target.Accounts[0].Email
		case a.canPick():
			i, err := a.pick("No active account on "+domain+"; select one", accountItems(target), -1)
			if err != nil {
				return err
			}
			account = target.Accounts[i].Email
		}
	}
	err = st.update(func(h *hostsFile) error {
		e := h.host(domain)
		if e == nil {
			return newError(codeUsageInvalidFlag, fmt.Sprintf("unknown host %s", quoted(domain)), "")
		}
		h.CurrentHost = domain
		if account != "" && e.account(account) != nil {
			e.CurrentAccount = account
		}
		return nil
	})
	if err != nil {
		return err
	}
	if noCurrent && account == "" {
		a.warn(fmt.Sprintf("no active account on %s; run 'difyctl use account --email <email>' to pick one of: %s", domain, strings.Join(target.emails(), ", ")))
	}
	return a.writeString(a.colors(a.stdoutTTY).green("✓") + " Active host is now " + sanitize(domain) + "\n")
}

// accountItems are the picker lines for a host's accounts.
func accountItems(e *hostEntry) []string {
	items := make([]string, len(e.Accounts))
	for i, c := range e.Accounts {
		switch {
		case c.isExternal():
			items[i] = c.Email + "  (SSO)"
		case c.Account.Name != "":
			items[i] = c.Email + "  (" + c.Account.Name + ")"
		default:
			items[i] = c.Email
		}
	}
	return items
}

// findAccount returns the context for email on e: the exact email, else
// the one stored email that matches it ignoring case (none when several
// do, or e is nil).
func findAccount(e *hostEntry, email string) *contextEntry {
	if c := e.account(email); c != nil || e == nil {
		return c
	}
	var found *contextEntry
	for _, c := range e.Accounts {
		if strings.EqualFold(c.Email, email) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}

// normalizeHostArg accepts what a person may paste: a URL with a scheme or a
// trailing slash, in any case.
func normalizeHostArg(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

var useAccountCommand = &command{
	path:           "use account",
	changesSignIns: true,
	summary:        "Switch the active account on the current host",
	usage:          "use account [--email <email>]",
	long: "Switches between accounts you already signed in with on the active host. Local only.\n" +
		"In a terminal, omit --email to pick from your stored accounts.",
	examples: []string{"difyctl use account --email teammate-bot@company.com", "difyctl use account"},
	exits: [][2]string{
		{"0", "Switched"},
		{"1", "hosts.yml or the credential store could not be read, or hosts.yml not written"},
		{"2", "Unknown account, a missing --email outside a terminal, or Esc in the picker"},
		{"4", "No stored sign-in on this host, or no credential for the chosen account"},
		{"130", "Interrupted (Ctrl-C); nothing was written"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		email := fs.String("email", "", "The `email` of the account to switch to")
		return func(a *app, args []string) error { return a.useAccount(*email) }
	},
}

func (a *app) useAccount(email string) error {
	st, h, err := a.hosts()
	if err != nil {
		return err
	}
	e := h.host(h.CurrentHost)
	if h.CurrentHost == "" || e == nil || len(e.Accounts) == 0 {
		return newError(codeNotLoggedIn, "not logged in", "run 'difyctl use host' or 'difyctl auth login'")
	}
	known := e.emails()
	if email == "" {
		if !a.canPick() {
			return newError(codeUsageMissingArg, fmt.Sprintf("--email is required (no TTY); known accounts on %s: %s", e.Host, strings.Join(known, ", ")),
				"pass --email <email>")
		}
		cur := -1 // none is current: no row is marked
		for i, c := range e.Accounts {
			if c.Email == e.CurrentAccount {
				cur = i
			}
		}
		i, err := a.pick("Select an account on "+e.Host, accountItems(e), cur)
		if err != nil {
			return err
		}
		email = e.Accounts[i].Email
	}
	email = strings.TrimSpace(email)
	c := findAccount(e, email)
	if c == nil {
		return newError(codeUsageInvalidFlag, fmt.Sprintf("unknown account %s on %s; known: %s", quoted(email), e.Host, strings.Join(known, ", ")),
			"run "+inQuotes(loginCommandFor(e))+" to add an account")
	}
	email = c.Email
	_, where, err := a.storedToken(h, e, c)
	if err != nil {
		return err
	}
	host := e.Host
	err = st.update(func(h *hostsFile) error {
		e := h.host(host)
		if e.account(email) == nil {
			return newError(codeUsageInvalidFlag, fmt.Sprintf("unknown account %s on %s", quoted(email), host), "")
		}
		e.CurrentAccount = email
		recordFound(h, host, email, where)
		return nil
	})
	if err != nil {
		return err
	}
	return a.writeString(fmt.Sprintf("%s Active account on %s is now %s\n", a.colors(a.stdoutTTY).green("✓"), sanitize(host), sanitize(email)))
}

func hostNames(h *hostsFile) []string {
	names := make([]string, len(h.Hosts))
	for i, e := range h.Hosts {
		names[i] = e.Host
	}
	return names
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
