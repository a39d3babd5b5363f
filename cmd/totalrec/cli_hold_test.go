package main

import (
	"fmt"
	"os/user"
	"strings"
	"testing"
	"time"
)

// TestCLI_HoldGoneAndWho holds a recording retention deleted: the command says
// it is gone, holds nothing and fails. Without --by and without $USER (as under
// cron), the hold names the account running the command.
func TestCLI_HoldGoneAndWho(t *testing.T) {
	s := newRetSpool(t, "", 10, 2, "max_age = 6d\n")
	now := "--now=" + retNow.Format(time.RFC3339)
	p := decode[planOut](t, cli(t, s.env(), "retention", "plan", "--json", "--list", now).must(t, exitOK).stdout)
	if len(p.Files) != 8 {
		t.Fatalf("plan deletes %d files, want 8", len(p.Files))
	}
	cli(t, s.env(), "retention", "run", now).must(t, exitOK)
	deleted := p.Files[0]

	r := cli(t, s.env(), "hold", "add", fmt.Sprint(deleted.ID), "--reason", "court order 17").must(t, exitError)
	if strings.Contains(r.stdout, "held") || !strings.Contains(r.stderr, fmt.Sprintf("recording %d was deleted on 2026-11-26", deleted.ID)) ||
		!strings.Contains(r.stderr, "recording is gone") {
		t.Errorf("hold of a deleted recording:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
	if hl := decode[[]holdJSON](t, cli(t, s.env(), "hold", "ls", "--json").must(t, exitOK).stdout); len(hl) != 0 {
		t.Errorf("holds after a refused hold: %+v", hl)
	}

	// A live one, with no $USER in the environment (cli sets none).
	live := decode[planOut](t, cli(t, s.env(), "retention", "plan", "--json", "--list", "--now="+retNow.AddDate(0, 0, 3).Format(time.RFC3339)).must(t, exitOK).stdout)
	if len(live.Files) == 0 {
		t.Fatal("no live recording to hold")
	}
	r = cli(t, s.env(), "hold", "add", fmt.Sprint(live.Files[0].ID), "--reason", "audit").must(t, exitOK)
	if !strings.Contains(r.stdout, "held 1 recordings") {
		t.Errorf("hold add: %s", r.stdout)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	hl := decode[[]holdJSON](t, cli(t, s.env(), "hold", "ls", "--json").must(t, exitOK).stdout)
	if len(hl) != 1 || hl[0].By != me.Username {
		t.Errorf("hold placed with no $USER: %+v, want by %q", hl, me.Username)
	}
}
