package main

// use.go: use host and use account, and the arrow-key picker they show in a
// terminal.

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

var useHostCommand = &command{
	path:    "use host",
	summary: "Switch the active host",
	usage:   "use host [--domain <host>]",
	long: "Re-points the active context among the sign-ins you already have. Local only;\n" +
		"to add a host, run 'difyctl auth login --host <url>'. In a terminal, omit --domain\n" +
		"to pick from your stored hosts.",
	examples: []string{"difyctl use host --domain dify.internal.acme.com", "difyctl use host"},
	exits: [][2]string{
		{"0", "Switched"},
		{"2", "Unknown host, or a missing --domain outside a terminal"},
		{"4", "No stored sign-ins (not_logged_in)"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		domain := fs.String("domain", "", "The stored `host` to switch to, as its bare domain (dify.example.com)")
		return func(a *app, args []string) error { return a.useHost(*domain) }
	},
}

func (a *app) useHost(domain string) error {
	if err := a.refuseUnderEnv("use host"); err != nil {
		return err
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	h, err := st.load()
	if err != nil {
		return err
	}
	if len(h.Hosts) == 0 {
		return notLoggedIn()
	}
	known := hostNames(h)
	if domain == "" {
		if !a.canPick() {
			return missingArg("--domain is required (no TTY); known hosts: "+joinSanitized(known), "pass --domain <host>")
		}
		items := make([]string, len(h.Hosts))
		cur := 0
		for i, e := range h.Hosts {
			items[i] = fmt.Sprintf("%s  (%s)", sanitize(e.Host), plural(len(e.Accounts), "account"))
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
	if h.host(domain) == nil {
		return usageError(fmt.Sprintf("unknown host %q; known hosts: %s", sanitize(domain), joinSanitized(known)),
			"run 'difyctl auth login --host <url>' to add a host")
	}
	err = st.update(func(h *hostsFile) error {
		if h.host(domain) == nil {
			return usageError(fmt.Sprintf("unknown host %q", sanitize(domain)), "")
		}
		h.CurrentHost = domain
		return nil
	})
	if err != nil {
		return err
	}
	return a.writeString(a.colors(a.stdoutTTY).green("✓") + " Active host is now " + sanitize(domain) + "\n")
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
	path:    "use account",
	summary: "Switch the active account on the current host",
	usage:   "use account [--email <email>]",
	long: "Switches between accounts you already signed in with on the active host. Local only.\n" +
		"In a terminal, omit --email to pick from your stored accounts.",
	examples: []string{"difyctl use account --email teammate-bot@company.com", "difyctl use account"},
	exits: [][2]string{
		{"0", "Switched"},
		{"2", "Unknown account, or a missing --email outside a terminal"},
		{"4", "No stored sign-in on this host, or no credential for the chosen account"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		email := fs.String("email", "", "The `email` of the account to switch to")
		return func(a *app, args []string) error { return a.useAccount(*email) }
	},
}

func (a *app) useAccount(email string) error {
	if err := a.refuseUnderEnv("use account"); err != nil {
		return err
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	h, err := st.load()
	if err != nil {
		return err
	}
	e := h.host(h.CurrentHost)
	if h.CurrentHost == "" || e == nil || len(e.Accounts) == 0 {
		return newError("not_logged_in", "not logged in", "run 'difyctl use host' or 'difyctl auth login'")
	}
	known := make([]string, len(e.Accounts))
	for i, c := range e.Accounts {
		known[i] = c.Email
	}
	if email == "" {
		if !a.canPick() {
			return missingArg(fmt.Sprintf("--email is required (no TTY); known accounts on %s: %s", sanitize(e.Host), joinSanitized(known)),
				"pass --email <email>")
		}
		items := make([]string, len(e.Accounts))
		cur := 0
		for i, c := range e.Accounts {
			switch {
			case c.isExternal():
				items[i] = sanitize(c.Email) + "  (SSO)"
			case c.Account.Name != "":
				items[i] = sanitize(c.Email) + "  (" + sanitize(c.Account.Name) + ")"
			default:
				items[i] = sanitize(c.Email)
			}
			if c.Email == e.CurrentAccount {
				cur = i
			}
		}
		i, err := a.pick("Select an account on "+sanitize(e.Host), items, cur)
		if err != nil {
			return err
		}
		email = e.Accounts[i].Email
	}
	email = strings.TrimSpace(email)
	c := e.account(email)
	if c == nil {
		return usageError(fmt.Sprintf("unknown account %q on %s; known: %s", sanitize(email), sanitize(e.Host), joinSanitized(known)),
			"run 'difyctl auth login --host "+sanitize(e.Host)+"' to add an account")
	}
	ts, err := a.tokenStore()
	if err != nil {
		return err
	}
	if _, err := ts.find(e.Host, c); err != nil {
		if errors.Is(err, errNoCredential) {
			return newError("not_logged_in",
				fmt.Sprintf("no credential stored for %s on %s", sanitize(email), sanitize(e.Host)),
				"run 'difyctl auth login --host "+sanitize(e.Host)+"' to sign in again")
		}
		return err
	}
	host := e.Host
	err = st.update(func(h *hostsFile) error {
		e := h.host(host)
		if e.account(email) == nil {
			return usageError(fmt.Sprintf("unknown account %q on %s", sanitize(email), sanitize(host)), "")
		}
		e.CurrentAccount = email
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

func joinSanitized(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = sanitize(s)
	}
	return strings.Join(out, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
