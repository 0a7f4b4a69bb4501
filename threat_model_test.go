package main

// threat_model_test.go: the README's threat model, claim by claim, mapped
// to the tests that show it holds. The test fails when the README gains a
// claim that maps to no test, when a claim here is no longer in the README,
// or when a test named here no longer exists (in any file, Windows and
// Linux-only ones included).

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// threatModel maps each claim of the README's "Threat model" section (its
// words in bold) to the tests that show it.
var threatModel = []struct {
	claim string
	tests []string
}{
	{"other users", []string{
		"TestFilesCreatedPrivate",           // 0700 dir, 0600 files
		"TestReadableSealedSecretsRefused",  // a key or sealed file others can read is refused
		"TestKeyringSecretServiceRoundTrip", // the OS store holds the token
		"TestWindowsSealedDPAPIRoundTrip",   // the key secret is DPAPI-wrapped on Windows
		"TestHardeningConfigInsecureRefusesToken",
	}},
	{"copies of the config dir", []string{
		"TestSealedConfigDirCopiedElsewhereOpensNothing",
		"TestHardeningKeyInsideConfigDirRefused",
		"TestSealedMovedCiphertextFails",
	}},
	{"Another user steering a token:", []string{
		"TestHardeningConfigInsecureRefusesToken",
		"TestConfigParentsCheckedLikeStrictModes",
		"TestLoginPreflightRefusesInsecureConfigDir",
		"TestHardeningKeyInsideConfigDirRefused",
		"TestWindowsOwnerCheckAcceptsOurFiles",
	}},
	{"A `hosts.yml` that redirects a token:", []string{
		"TestHardeningPathCannotChangeAuthority",
		"TestHostileServerAtLogin", // redirects to http or another host are not followed
		"TestHostileHostsFiles",
	}},
	{"Keychain name clashes", []string{
		"TestHardeningKeychainNameClash",
		"TestSecurityEscapingNeverMergesAccounts",
	}},
	{"Planted helpers:", []string{
		"TestHardeningToolsNotFromRelativePath",
		"TestFakeSecurityGrammar",
		"TestSecurityQuotingProperty",
		"TestSecurityHostileNames",
	}},
	{"Leaks:", []string{
		"TestKeyringSecretServiceTokenNeverInArgv",
		"TestHardeningServerEchoedTokenIsRedacted",
		"TestHardeningChunkedHelperEcho",
		"TestRedactTokenLikeScan",
		"TestRedactJSONCatchesEscapedTokens",
		"TestKeyringFailingStoreNeverLeaksToken",
		"TestHygieneCatchesALeak", // every run of the suite is searched for minted tokens
		"TestHardeningNoCoreDumps",
	}},
	{"Hostile servers and files:", []string{
		"TestHostileServerAtLogin", // 1 MiB body cap, hostile text
		"TestHostileServerAtDevicesList",
		"TestHostileSlowHeadersInterrupt",
		"TestHardeningPollFloor",
		"TestHardeningHugeConfigFilesRefused",
		"TestHardeningHostParseErrorsHideUserinfo",
		"TestSealedHostileFiles",
	}},
	{"Wasted approvals:", []string{
		"TestHardeningLoginPreflight",
		"TestLoginLockedOutLeavesNothing", // granted, not recorded: token removed, session revoked
	}},
}

func TestThreatModelClaimsHaveTests(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "\n## Threat model\n")
	if start < 0 {
		t.Fatal("README.md has no '## Threat model' section")
	}
	section = section[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	defended, _, _ := strings.Cut(section, "**Not defended:**")

	// Every claim in bold before "Not defended" is mapped, and every
	// mapped claim is still there.
	var claims []string
	for _, m := range regexp.MustCompile(`\*\*([^*]+)\*\*`).FindAllStringSubmatch(defended, -1) {
		claims = append(claims, m[1])
	}
	if len(claims) < len(threatModel) {
		t.Errorf("README's threat model has %d claims in bold, the map %d", len(claims), len(threatModel))
	}
	mapped := map[string]bool{}
	for _, c := range threatModel {
		mapped[c.claim] = true
		if !slices.Contains(claims, c.claim) {
			t.Errorf("claim %q is mapped here but no longer in README's threat model", c.claim)
		}
	}
	for _, c := range claims {
		if !mapped[c] {
			t.Errorf("README's threat model claims %q, mapped to no test in threat_model_test.go", c)
		}
	}

	// Every test named exists, whatever the OS it runs on.
	exists := testFuncNames(t)
	for _, c := range threatModel {
		if len(c.tests) == 0 {
			t.Errorf("claim %q has no test", c.claim)
		}
		for _, name := range c.tests {
			if !exists[name] {
				t.Errorf("claim %q names %s, which no _test.go file defines", c.claim, name)
			}
		}
	}
}

// testFuncNames returns the Test functions of every _test.go file here,
// build tags ignored.
func testFuncNames(t *testing.T) map[string]bool {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	fset := gotoken.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") {
				names[fn.Name.Name] = true
			}
		}
	}
	return names
}
