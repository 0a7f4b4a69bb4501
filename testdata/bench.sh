#!/usr/bin/env sh
# Measures difyctl as a user's machine runs it and prints a Markdown table:
# whoami and `auth list -o json` wall time (medians of many runs), peak RSS,
# binary size, module count, sign-in latency from approval to exit against
# the bundled fake Dify server, `auth devices revoke --all` over 1 000
# sessions, and the same wall time and RSS for `node -e 0` when node is on
# PATH. Needs the shell and the Go toolchain only (uses /usr/bin/time for
# peak RSS when it is GNU time, else rusage read by a Go helper).
#
# Usage: testdata/bench.sh [--quick] [-n RUNS]
#   --quick   20 runs per command, 3 sign-ins, interval 1 only (a smoke run)
#   -n RUNS   runs per fast command (default 200; the 10 000-context
#             commands get RUNS/4, at least 10)
# Environment: BENCH_LOGIN_RUNS (default 10), BENCH_REVOKE_RUNS (default 3).
# Everything happens in a temporary directory; HOME is never touched. The
# table goes to stdout, progress to stderr. Takes about 2 minutes.
set -eu
cd "$(dirname "$0")/.."

runs=200
quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 runs=20 ;;
	-n) runs=${2:?-n needs a number}; shift ;;
	-h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
case $runs in '' | *[!0-9]* | 0) echo "bench.sh: -n wants a positive number" >&2; exit 2 ;; esac
login_runs=${BENCH_LOGIN_RUNS:-10}
revoke_runs=${BENCH_REVOKE_RUNS:-3}
[ "$quick" = 1 ] && login_runs=3 revoke_runs=1
big_runs=$((runs / 4))
[ "$big_runs" -lt 10 ] && big_runs=10

work=$(mktemp -d "${TMPDIR:-/tmp}/difyctl-bench.XXXXXX")
fake_pids=""
cleanup() {
	for p in $fake_pids; do kill "$p" 2>/dev/null || true; done
	for p in $fake_pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*averages*: //'; }
load_start=$(loadavg)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if echo "$load_start $ncpu" | awk '{exit !($1 > $4 / 2)}'; then
	say "note: load average $load_start on $ncpu cores: other work will slow the figures"
fi

# --- build -------------------------------------------------------------------
say "building difyctl, fakedify and two helpers in $work"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/difyctl" .
go build -o "$work/fakedify" ./testdata/fakedify

# Two helpers: a small one that times processes and generates hosts.yml
# files (a child forked from it reports at least the parent's peak RSS, so
# it must stay small: 2 to 4 MiB), and one that drives sign-ins and
# revokes against the fake over HTTP.
mkdir -p "$work/helper/timer" "$work/helper/driver"
printf 'module benchhelper\n\ngo 1.22\n' >"$work/helper/go.mod"
cat >"$work/helper/timer/main.go" <<'EOF'
// timer times processes and reads their peak RSS, and generates hosts.yml
// files, for bench.sh.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 4 {
		die("usage: timer gen N FILE | timer time RUNS CMD [ARG...] [--- CMD [ARG...]]...")
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		die(err.Error())
	}
	switch os.Args[1] {
	case "gen":
		gen(n, os.Args[3])
	case "time": // per command: median p90 min max (µs), median and max peak RSS (KiB)
		timeCmd(n, os.Args[3:])
	default:
		die("unknown subcommand " + os.Args[1])
	}
}

func die(msg string) { fmt.Fprintln(os.Stderr, "timer: "+msg); os.Exit(1) }

// gen writes the hosts.yml of bench_test.go's benchHosts(n), byte for byte:
// ten accounts per host, one host in five self-hosted over http.
func gen(n int, file string) {
	var b strings.Builder
	b.WriteString("token_storage: file\ncurrent_host: dify0.example.com\nhosts:\n")
	uuid := func(kind, i int) string { return fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, kind, i*7919) }
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			hi := i / 10
			if hi%5 == 4 {
				fmt.Fprintf(&b, "  dify%d.corp.example:5001:\n    scheme: http\n    insecure_tls: true\n    path: /dify\n", hi)
			} else {
				fmt.Fprintf(&b, "  dify%d.example.com:\n", hi)
			}
			fmt.Fprintf(&b, "    current_account: user%d@example.com\n    accounts:\n", i)
		}
		storage, role := "sealed", "normal"
		if i%3 == 0 {
			storage = "keychain"
		}
		if i%10 == 0 {
			role = "owner"
		}
		fmt.Fprintf(&b, "      user%d@example.com:\n        account:\n          id: %s\n          email: user%d@example.com\n          name: User %d\n", i, uuid(1, i), i, i)
		fmt.Fprintf(&b, "        workspace:\n          id: %s\n          name: Workspace %d\n          role: %s\n", uuid(2, i/10), i/10, role)
		fmt.Fprintf(&b, "        token_id: %s\n", uuid(3, i))
		fmt.Fprintf(&b, "        token_expires_at: '2026-07-%02dT10:%02d:%02d.%06d+00:00'\n", 1+i%28, i%60, (i/60)%60, i%1000000)
		fmt.Fprintf(&b, "        token_storage: %s\n", storage)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		die(err.Error())
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		die(err.Error())
	}
}

// run starts one process with stdin, stdout and stderr on the null device
// and returns its wall time (start to reaped) and peak RSS in KiB, from
// wait4's rusage.
func run(argv []string, null *os.File) (time.Duration, int64, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var rss int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = int64(ru.Maxrss)
		}
	}
	return d, rss, err
}

// timeCmd runs each command (argv lists separated by "---") runs times,
// round-robin so that they share whatever else the machine is doing, and
// prints one line per command.
func timeCmd(runs int, args []string) {
	var cmds [][]string
	start := 0
	for i := 0; i <= len(args); i++ {
		if i == len(args) || args[i] == "---" {
			if i == start {
				die("empty command")
			}
			cmds = append(cmds, args[start:i])
			start = i + 1
		}
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		die(err.Error())
	}
	ds := make([][]float64, len(cmds))
	rs := make([][]float64, len(cmds))
	for i := -3; i < runs; i++ { // three untimed rounds warm the caches
		for c, argv := range cmds {
			d, rss, err := run(argv, null)
			if err != nil {
				out, _ := exec.Command(argv[0], argv[1:]...).CombinedOutput()
				die(fmt.Sprintf("%s: %v\n%s", strings.Join(argv, " "), err, out))
			}
			if i >= 0 {
				ds[c] = append(ds[c], float64(d.Microseconds()))
				rs[c] = append(rs[c], float64(rss))
			}
		}
	}
	for c := range cmds {
		d, r := ds[c], rs[c]
		sort.Float64s(d)
		sort.Float64s(r)
		p90 := d[max((9*len(d)+9)/10-1, 0)] // nearest rank
		fmt.Printf("%.0f %.0f %.0f %.0f %.0f %.0f\n", median(d), p90, d[0], d[len(d)-1], median(r), r[len(r)-1])
	}
}

func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
EOF
cat >"$work/helper/driver/main.go" <<'EOF'
// driver signs in and revokes sessions against fakedify for bench.sh.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 7 {
		die("usage: driver login URL DIFYCTL RUNS WORKDIR INTERVAL | driver revoke URL DIFYCTL RUNS WORKDIR SESSIONS")
	}
	a := os.Args[2:]
	runs, err := strconv.Atoi(a[2])
	if err != nil {
		die(err.Error())
	}
	switch os.Args[1] {
	case "login": // median max (ms), slow_down answers, polls
		interval, err := strconv.ParseFloat(a[4], 64)
		if err != nil {
			die(err.Error())
		}
		login(a[0], a[1], runs, a[3], interval)
	case "revoke": // median max (ms)
		n, err := strconv.Atoi(a[4])
		if err != nil {
			die(err.Error())
		}
		revoke(a[0], a[1], runs, a[3], n)
	default:
		die("unknown subcommand " + os.Args[1])
	}
}

func die(msg string) { fmt.Fprintln(os.Stderr, "driver: "+msg); os.Exit(1) }

func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

var client = &http.Client{Timeout: 10 * time.Second}

// ctl calls a fakedify control endpoint and decodes its JSON answer.
func ctl(base, method, path string, body, out any) {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, base+"/_fake/"+path, bytes.NewReader(b))
	if err != nil {
		die(err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		die(err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		die(fmt.Sprintf("%s /_fake/%s: HTTP %d", method, path, resp.StatusCode))
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			die(err.Error())
		}
	}
}

// machine is one throw-away user: HOME, config and data dirs, sealed tokens.
func machine(dir string) []string {
	for _, d := range []string{"home", "config", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			die(err.Error())
		}
	}
	return []string{
		"HOME=" + filepath.Join(dir, "home"), "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8",
		"DIFY_CONFIG_DIR=" + filepath.Join(dir, "config"), "DIFY_DATA_DIR=" + filepath.Join(dir, "data"),
		"DIFY_TOKEN_STORAGE=sealed",
	}
}

// signIn runs one `auth login`, approves its code delay after it shows up
// at the fake, and returns the time from the approval to the CLI's exit.
func signIn(base, bin string, env []string, delay time.Duration) time.Duration {
	cmd := exec.Command(bin, "auth", "login", "--host", base, "--insecure", "--no-browser")
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		die(err.Error())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	code := ""
	for deadline := time.Now().Add(20 * time.Second); code == ""; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			die("no device code appeared; difyctl said: " + errb.String())
		}
		var p struct {
			UserCodes []string `json:"user_codes"`
		}
		ctl(base, "GET", "pending", nil, &p)
		if len(p.UserCodes) > 0 {
			code = p.UserCodes[0]
		}
	}
	time.Sleep(delay)
	approved := time.Now() // taken before the request: the figure errs long
	ctl(base, "POST", "approve", map[string]any{"user_code": code}, nil)
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		die("difyctl auth login did not finish; stderr: " + errb.String())
	}
	d := time.Since(approved)
	if err != nil || !strings.Contains(out.String(), "Logged in to") {
		die(fmt.Sprintf("auth login: %v\n%s%s", err, out.String(), errb.String()))
	}
	return d
}

// login signs in runs times, each in a fresh config, approving at offsets
// spread evenly over one poll interval after the code appears (offset 0,
// right after the CLI asked for its code, waits longest).
func login(base, bin string, runs int, dir string, interval float64) {
	ds := make([]float64, 0, runs)
	for i := 0; i < runs; i++ {
		delay := time.Duration(float64(i) / float64(runs) * interval * float64(time.Second))
		d := signIn(base, bin, machine(filepath.Join(dir, "login-"+strconv.Itoa(i))), delay)
		ds = append(ds, float64(d.Microseconds())/1000)
	}
	var st struct {
		SlowDown int `json:"slow_down"`
		Polls    int `json:"polls"`
	}
	ctl(base, "GET", "state", nil, &st)
	sort.Float64s(ds)
	fmt.Printf("%.0f %.0f %d %d\n", median(ds), ds[len(ds)-1], st.SlowDown, st.Polls)
}

// revoke signs in once, then runs times seeds n sessions for the account
// and times `auth devices revoke --all -y`.
func revoke(base, bin string, runs int, dir string, n int) {
	env := machine(filepath.Join(dir, "revoke"))
	signIn(base, bin, env, 0)
	ds := make([]float64, 0, runs)
	for i := 0; i < runs; i++ {
		ctl(base, "POST", "sessions/seed", map[string]any{"email": "tester@dify.ai", "count": n, "label_prefix": "seed" + strconv.Itoa(i)}, nil)
		cmd := exec.Command(bin, "auth", "devices", "revoke", "--all", "-y")
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if want := fmt.Sprintf("Revoked %d session(s)", n); err != nil || !strings.Contains(out.String(), want) {
			die(fmt.Sprintf("revoke --all: %v (want %q)\n%s%s", err, want, out.String(), errb.String()))
		}
		ds = append(ds, float64(d.Microseconds())/1000)
	}
	sort.Float64s(ds)
	fmt.Printf("%.0f %.0f\n", median(ds), ds[len(ds)-1])
}
EOF
(cd "$work/helper" && export GOWORK=off GOFLAGS= &&
	go build -o "$work/timer" ./timer && go build -o "$work/driver" ./driver)

# --- files -------------------------------------------------------------------
for n in 1 10 1000 10000; do
	"$work/timer" gen "$n" "$work/c$n/config/hosts.yml"
	mkdir -p "$work/c$n/home" "$work/c$n/data"
done
# envfor N: the variables of a throw-away user whose hosts.yml holds N
# contexts. Commands run under `env -i` with only these.
envfor() {
	echo "HOME=$work/c$1/home" "DIFY_CONFIG_DIR=$work/c$1/config" \
		"DIFY_DATA_DIR=$work/c$1/data" DIFY_TOKEN_STORAGE=sealed LANG=C.UTF-8 "PATH=$PATH"
}
# timed N RUNS CMD... [--- CMD...]...: per command, interleaved: median p90
# min max (µs), rss_median rss_max (KiB)
timed() {
	n=$1 r=$2
	shift 2
	# shellcheck disable=SC2046 # split on purpose; mktemp paths have no spaces
	env -i $(envfor "$n") "$work/timer" time "$r" "$@"
}

# Peak RSS: GNU time when present (its fork is small), else wait4's rusage
# through the timer (which cannot report less than its own 2 to 4 MiB).
gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$work/t" true 2>/dev/null && [ -s "$work/t" ]; then
	gnu_time=/usr/bin/time
fi
# rss N CMD...: median peak RSS in KiB over 11 runs
rss() {
	n=$1
	shift
	if [ -z "$gnu_time" ]; then
		timed "$n" 11 "$@" | awk '{print $5}'
		return
	fi
	i=0
	: >"$work/rss"
	while [ $i -lt 11 ]; do
		# shellcheck disable=SC2046
		env -i $(envfor "$n") "$gnu_time" -f %M -o "$work/t" "$@" >/dev/null 2>&1 </dev/null ||
			{ say "failed: $*"; exit 1; }
		cat "$work/t" >>"$work/rss"
		i=$((i + 1))
	done
	sort -n "$work/rss" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# --- local commands ----------------------------------------------------------
node_bin=$(command -v node 2>/dev/null || true)
node="" rss_node="" node_version=""
# The spawn floor, whoami and node run interleaved, so that their ratio
# holds even while something else loads the machine.
if [ -n "$node_bin" ]; then
	node_version=$("$node_bin" --version)
	say "timing /bin/sh -c :, auth whoami and node -e 0, interleaved ($runs runs each)"
	timed 1 "$runs" /bin/sh -c : --- "$work/difyctl" auth whoami --- "$node_bin" -e 0 >"$work/t1"
	node=$(sed -n 3p "$work/t1")
	rss_node=$(rss 1 "$node_bin" -e 0)
else
	say "timing /bin/sh -c : and auth whoami, interleaved ($runs runs each); no node on PATH"
	timed 1 "$runs" /bin/sh -c : --- "$work/difyctl" auth whoami >"$work/t1"
fi
floor=$(sed -n 1p "$work/t1")
whoami=$(sed -n 2p "$work/t1")
say "timing auth list -o json ($runs runs; $big_runs at 10 000 contexts, with whoami)"
list10=$(timed 10 "$runs" "$work/difyctl" auth list -o json)
list1k=$(timed 1000 "$runs" "$work/difyctl" auth list -o json)
timed 10000 "$big_runs" "$work/difyctl" auth list -o json --- "$work/difyctl" auth whoami >"$work/t2"
list10k=$(sed -n 1p "$work/t2")
whoami10k=$(sed -n 2p "$work/t2")
rss_whoami=$(rss 1 "$work/difyctl" auth whoami)
rss_list10k=$(rss 10000 "$work/difyctl" auth list -o json)

size=$(wc -c <"$work/difyctl" | tr -d ' ')
if mods=$(go list -mod=mod -m all 2>/dev/null); then
	modules=$(printf '%s\n' "$mods" | wc -l | tr -d ' ')
else
	modules="n/a"
fi

# --- against the fake server -------------------------------------------------
# startfake NAME ARGS...: starts fakedify, sets $url.
startfake() {
	name=$1
	shift
	"$work/fakedify" "$@" >"$work/$name.out" 2>"$work/$name.err" &
	fake_pids="$fake_pids $!"
	i=0
	until grep -q '^listening on ' "$work/$name.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && { say "fakedify did not start: $(cat "$work/$name.err")"; exit 1; }
		sleep 0.05
	done
	url=$(sed -n 's/^listening on //p' "$work/$name.out")
}

say "signing in $login_runs times against fakedify -interval 1"
startfake fake1 -interval 1
login1=$("$work/driver" login "$url" "$work/difyctl" "$login_runs" "$work/login1" 1)
login5=""
if [ "$quick" = 0 ]; then
	say "signing in $login_runs times against fakedify at its default interval, 5 s (about $((login_runs * 6)) s)"
	startfake fake5
	login5=$("$work/driver" login "$url" "$work/difyctl" "$login_runs" "$work/login5" 5)
fi
say "revoking 1 000 sessions, $revoke_runs time(s)"
startfake fakerev -interval 0.2
revoke=$("$work/driver" revoke "$url" "$work/difyctl" "$revoke_runs" "$work/revoke" 1000)

# --- report ------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=$(sysctl -n machdep.cpu.brand_string 2>/dev/null || echo "unknown CPU")
load_end=$(loadavg)
if [ -n "$gnu_time" ]; then rss_how="GNU time %M"; else rss_how="wait4 rusage"; fi

awk -v floor="$floor" -v whoami="$whoami" -v whoami10k="$whoami10k" \
	-v list10="$list10" -v list1k="$list1k" -v list10k="$list10k" \
	-v rss_whoami="$rss_whoami" -v rss_list10k="$rss_list10k" \
	-v node="$node" -v rss_node="$rss_node" -v node_version="$node_version" \
	-v size="$size" -v modules="$modules" -v login1="$login1" -v login5="$login5" \
	-v revoke="$revoke" -v runs="$runs" -v big_runs="$big_runs" -v login_runs="$login_runs" \
	-v revoke_runs="$revoke_runs" -v rss_how="$rss_how" \
	-v arch="$(uname -m)" -v os="$(uname -sr)" -v cpu="$cpu" -v cores="$ncpu" \
	-v gov="$(go env GOVERSION)" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-v load_start="$load_start" -v load_end="$load_end" '
function ms(us) { return sprintf("%.2f ms", us / 1000) }
function wall(s,   a) { split(s, a, " "); return ms(a[1]) " (p90 " ms(a[2]) ", min " ms(a[3]) ")" }
function mib(kib) { return sprintf("%.1f MiB", kib / 1024) }
function met(ok) { return ok ? "met" : "**not met**" }
BEGIN {
	split(whoami, w, " "); split(list10k, l, " "); split(floor, f, " ")
	print "| Measure | difyctl | Target | |"
	print "|---|---|---|---|"
	print "| `auth whoami`, 1 context: wall, median (p90, min) of " runs " | " wall(whoami) " | < 3 ms | " met(w[1] < 3000) " |"
	if (node != "") {
		split(node, nd, " "); ratio = nd[1] / w[1]
		print "| `auth whoami` against `node -e 0` (" ms(nd[1]) " median, run interleaved) | " sprintf("%.1fx faster", ratio) " | >= 15x | " met(ratio >= 15) " |"
	}
	print "| `auth whoami`, 10 000 contexts (" big_runs " runs) | " wall(whoami10k) " | | |"
	print "| `auth list -o json`, 10 contexts | " wall(list10) " | | |"
	print "| `auth list -o json`, 1 000 contexts | " wall(list1k) " | | |"
	print "| `auth list -o json`, 10 000 contexts (" big_runs " runs) | " wall(list10k) " | < 150 ms | " met(l[1] < 150000) " |"
	print "| peak RSS, `auth whoami` | " mib(rss_whoami) " | < 15 MiB | " met(rss_whoami < 15360) " |"
	print "| peak RSS, `auth list -o json`, 10 000 contexts | " mib(rss_list10k) " | < 64 MiB | " met(rss_list10k < 65536) " |"
	print "| binary size (`CGO_ENABLED=0`, `-trimpath -ldflags \"-s -w\"`) | " mib(size / 1024) " (" size " bytes) | < 8 MiB | " met(size < 8 * 1048576) " |"
	print "| modules (`go list -mod=mod -m all`) | " modules " | | |"
	split(login1, g, " "); slow = g[3]
	print "| sign-in, approval to exit, interval 1 s: median / max of " login_runs " | " sprintf("%d / %d ms", g[1], g[2]) " | < 1.5 s | " met(g[2] < 1500) " |"
	if (login5 != "") {
		split(login5, h, " "); slow += h[3]
		print "| sign-in, approval to exit, interval 5 s: median / max of " login_runs " | " sprintf("%d / %d ms", h[1], h[2]) " | < 5.5 s | " met(h[2] < 5500) " |"
	}
	print "| `slow_down` answers during those sign-ins | " slow " | 0 | " met(slow == 0) " |"
	split(revoke, r, " ")
	print "| `auth devices revoke --all -y`, 1 000 sessions: median / max of " revoke_runs " | " sprintf("%d / %d ms", r[1], r[2]) " | < 5 s | " met(r[2] < 5000) " |"
	print ""
	if (node != "") {
		print "| `node -e 0` (" node_version ") | wall, median (p90, min) | peak RSS |"
		print "|---|---|---|"
		print "| node | " wall(node) " | " mib(rss_node) " |"
		print "| node / difyctl `auth whoami` | " sprintf("%.1fx", nd[1] / w[1]) " | " sprintf("%.1fx", rss_node / rss_whoami) " |"
	} else {
		print "node is not on PATH: no comparison."
	}
	print ""
	print "Process-spawn floor of the harness (`/bin/sh -c :`, timed the same way): " ms(f[1]) " median. Peak RSS by " rss_how ", median of 11 runs. Sign-ins approve at offsets spread over one interval; offset 0 gives the max."
	print ""
	print "Machine: " arch ", " cpu ", " cores " cores, " os ", " gov ", " date "; load average " load_start " at the start, " load_end " at the end (other work on the machine slows every figure)."
}'
