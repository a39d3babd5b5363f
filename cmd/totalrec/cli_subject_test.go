package main

import (
	"archive/zip"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/evidence"
)

// TestCLI_Subject: find, export and erase a number through the command line, on
// a demo PBX with its CDR table: the dry run changes nothing, the erasure needs
// the manifest key, signs a certificate that verifies, and is audited without
// the number.
func TestCLI_Subject(t *testing.T) {
	dir := t.TempDir()
	cli(t, nil, "demo", "--dir", dir, "--days", "5", "--calls-per-day", "30", "--no-serve").must(t, exitOK)
	conf := filepath.Join(dir, "totalrec.conf")
	c := func(args ...string) result { return cli(t, nil, append([]string{"--config", conf}, args...)...) }

	// The number in the most recordings.
	page := decode[recordings.PageJSON](t, c("search", "--limit", "1000", "--json").must(t, exitOK).stdout)
	count, number := map[string]int{}, ""
	for _, r := range page.Items {
		for _, n := range []string{r.Src, r.Dst} {
			if len(n) >= 10 {
				if count[n]++; count[n] > count[number] {
					number = n
				}
			}
		}
	}
	if number == "" {
		t.Fatal("the demo has no external number")
	}
	found := decode[subjectFound](t, c("subject", "find", number, "--json").must(t, exitOK).stdout)
	if len(found.Recordings) != count[number] || len(found.CDR) == 0 {
		t.Fatalf("find: %d recordings (search saw %d), %d CDR rows", len(found.Recordings), count[number], len(found.CDR))
	}
	c("subject", "find", "101").must(t, exitUsage)

	zipFile := filepath.Join(t.TempDir(), "subject.zip")
	c("subject", "export", number, "--out", zipFile).must(t, exitOK)
	zr, err := zip.OpenReader(zipFile)
	must(t, err)
	zr.Close()
	c("subject", "export", number, "--out", zipFile).must(t, exitRefused)

	// The dry run changes nothing.
	dry := c("subject", "erase", number).must(t, exitOK).stdout
	if !strings.Contains(dry, "Nothing was changed") {
		t.Errorf("dry run:\n%s", dry)
	}
	if again := decode[subjectFound](t, c("subject", "find", number, "--json").must(t, exitOK).stdout); len(again.Recordings) != len(found.Recordings) {
		t.Fatalf("the dry run erased something")
	}
	// Without the manifest key nothing is erased.
	key := filepath.Join(dir, "data", "manifest.key")
	if _, err := os.Stat(filepath.Dir(key)); err != nil {
		key = filepath.Join(dir, "manifest.key")
	}
	env := []string{"TOTALREC_MANIFEST_KEY=" + key}
	cli(t, env, "--config", conf, "subject", "erase", number, "--apply").must(t, exitError)
	cli(t, env, "--config", conf, "seal", "--init").must(t, exitOK)
	out := cli(t, env, "--config", conf, "subject", "erase", number, "--apply", "--cdr").must(t, exitOK).stdout
	if !strings.Contains(out, "signed certificate:") {
		t.Fatalf("erase:\n%s", out)
	}
	certFile := strings.Fields(out[strings.Index(out, "signed certificate:"):])[2]
	cert, err := os.ReadFile(certFile)
	must(t, err)
	sig, err := os.ReadFile(certFile + ".sig")
	must(t, err)
	k, err := evidence.LoadKey(key)
	must(t, err)
	if !ed25519.Verify(k.Public().(ed25519.PublicKey), cert, sig) || strings.Contains(string(cert), number[len(number)-7:]) {
		t.Errorf("the certificate does not verify, or names the number:\n%s", cert)
	}
	after := decode[subjectFound](t, c("subject", "find", number, "--json").must(t, exitOK).stdout)
	if len(after.Recordings) != 0 || len(after.CDR) != 0 {
		t.Errorf("after the erasure: %d recordings, %d CDR rows", len(after.Recordings), len(after.CDR))
	}
	audit := c("audit", "ls", "--json").must(t, exitOK).stdout
	if !strings.Contains(audit, "subject.erase") || !strings.Contains(audit, "subject.export") || strings.Contains(audit, number[len(number)-7:]) {
		t.Errorf("audit trail:\n%s", audit)
	}
}
