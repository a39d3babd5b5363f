package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/evidence"
)

// TestCLI_SealAndVerify: seal --init makes the key, seal writes the chain of
// manifests, verify finds nothing wrong with untouched recordings, and finds
// the one byte changed, refusing a bundle until it is put back.
func TestCLI_SealAndVerify(t *testing.T) {
	for _, b := range []struct{ name, db string }{{"sqlite", ""}, {"mysql", "mysql"}} {
		t.Run(b.name, func(t *testing.T) {
			db := ""
			if b.db == "mysql" {
				db = mariadb.NewDatabase(t, "totalrec_evidence_cli_test")
			}
			testSealAndVerify(t, db)
		})
	}
}

func testSealAndVerify(t *testing.T, db string) {
	s := newRetSpool(t, db, 10, 5, "max_age = 6d\ngrace = 15m\n")
	env := s.env()
	at := func(d time.Duration) string { return "--now=" + retNow.Add(d).Format(time.RFC3339) }

	init := cli(t, env, "seal", "--init").must(t, exitOK)
	if !strings.Contains(init.stdout, "BEGIN PUBLIC KEY") || !strings.Contains(init.stderr, "made the manifest key") {
		t.Fatalf("seal --init:\n%s\n%s", init.stdout, init.stderr)
	}
	key := filepath.Join(s.data, "manifest.key")
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key: %v, %v", fi, err)
	}
	if again := cli(t, env, "seal", "--init").must(t, exitOK); again.stdout != init.stdout || again.stderr != "" {
		t.Errorf("a second seal --init is not the same key:\n%s", again.stdout)
	}
	if pk := cli(t, env, "verify", "--pubkey").must(t, exitOK); pk.stdout != init.stdout {
		t.Errorf("verify --pubkey:\n%s\nseal --init:\n%s", pk.stdout, init.stdout)
	}

	// Sealed an hour before the retention run; manifests for that day and the next.
	rep := decode[sealReport](t, cli(t, env, "seal", "--json", at(-2*time.Hour)).must(t, exitOK).stdout)
	if rep.Hashed.Sealed != 50 || len(rep.Manifests) != 0 {
		t.Fatalf("first seal: %+v", rep)
	}
	ret := cli(t, env, "retention", "run", "--json", at(0)).must(t, exitOK)
	deleted := strings.Count(ret.stdout, `"rule"`)
	rep = decode[sealReport](t, cli(t, env, "seal", "--json", at(22*time.Hour)).must(t, exitOK).stdout)
	if len(rep.Manifests) != 1 || rep.Manifests[0].Sealed != 50 || rep.Manifests[0].Deleted != 0 {
		t.Fatalf("second seal: %+v", rep)
	}
	out := cli(t, env, "seal", at(46*time.Hour)).must(t, exitOK).stdout
	if !strings.Contains(out, "manifest 2026-11-27: 0 sealed, 20 deleted") {
		t.Fatalf("third seal:\n%s (retention: %d rules)", out, deleted)
	}

	vr := decode[evidence.Report](t, cli(t, env, "verify", "--json").must(t, exitOK).stdout)
	if vr.Days != 2 || vr.Recordings != 30 || vr.Deleted != 20 || len(vr.Problems) != 0 {
		t.Fatalf("verify: %+v", vr)
	}

	// One byte of one recording.
	files := s.files(t)
	var victim string
	for f := range files {
		victim = f
		break
	}
	path := filepath.Join(s.root, victim)
	orig, err := os.ReadFile(path)
	must(t, err)
	changed := append([]byte(nil), orig...)
	changed[len(changed)/2] ^= 0x10
	must(t, os.WriteFile(path, changed, 0o644))
	bad := cli(t, env, "verify").must(t, exitError)
	if !strings.Contains(bad.stdout, "altered") || !strings.Contains(bad.stdout, victim) || !strings.Contains(bad.stderr, "1 problem found") {
		t.Fatalf("verify after a change:\n%s\n%s", bad.stdout, bad.stderr)
	}
	id := idOfPath(t, env, victim)
	zipPath := filepath.Join(t.TempDir(), "bundle.zip")
	cli(t, env, "verify", id, "--bundle", zipPath).must(t, exitError)
	if _, err := os.Stat(zipPath); err == nil {
		t.Fatal("a bundle was written for a recording that does not verify")
	}
	must(t, os.WriteFile(path, orig, 0o644))
	cli(t, env, "verify", id, "--bundle", zipPath).must(t, exitOK)
	zr, err := zip.OpenReader(zipPath)
	must(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	if !strings.Contains(strings.Join(names, " "), filepath.Base(victim)) || len(names) != 8 {
		t.Errorf("the bundle holds %v", names)
	}
	cli(t, env, "verify", id, "--bundle", zipPath).must(t, exitRefused)
	audit := cli(t, env, "audit", "ls", "--json").must(t, exitOK).stdout
	if !strings.Contains(audit, "evidence.export") {
		t.Errorf("the export is not audited:\n%s", audit)
	}

	// A key others may read is refused; a lost key is never replaced silently.
	must(t, os.Chmod(key, 0o644))
	cli(t, env, "seal", at(70*time.Hour)).must(t, exitRefused)
	must(t, os.Remove(key))
	r := cli(t, env, "seal", at(70*time.Hour)).must(t, exitRefused)
	if !strings.Contains(r.stderr, "restore it from a backup") {
		t.Errorf("a lost key:\n%s", r.stderr)
	}
	cli(t, env, "verify", "--day", "2026-11-27").must(t, exitOK)
	cli(t, env, "verify", "--day", "yesterday").must(t, exitUsage)
	cli(t, env, "verify", "1", "--since", "2026-11-01").must(t, exitUsage)
}

// idOfPath finds a recording's ID with search.
func idOfPath(t *testing.T, env []string, rel string) string {
	t.Helper()
	type item struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
	}
	res := decode[struct {
		Items []item `json:"items"`
	}](t, cli(t, env, "search", "--json", "--limit", "1000").must(t, exitOK).stdout)
	for _, r := range res.Items {
		if r.Path == rel {
			return strconv.FormatInt(r.ID, 10)
		}
	}
	t.Fatalf("%s is not in the catalogue", rel)
	return ""
}
