package catalog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// openAccess is a catalogue with the access tables.
func openAccess(t *testing.T, c *Catalog) *Catalog {
	t.Helper()
	if err := c.MigrateAuth(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.MigrateAuth(context.Background()); err != nil {
		t.Fatalf("second MigrateAuth: %v", err)
	}
	return c
}

// TestScopeLookups: search, lookup by ID and by call honour a scope, on both
// dialects; out of scope is ErrNotFound like a missing ID.
func TestScopeLookups(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		a, b, d := rec("a.wav", 1), rec("b.wav", 2), rec("c.wav", 3)
		a.Name.Dest, a.Name.From = "105", "+79123456789" // in 100-199
		b.Name.Dest, b.Name.From = "205", "+79123456780" // out
		d.Name.Dest, d.Name.From = "1050", "105"         // in, by its caller
		a.LinkedID, b.LinkedID, d.LinkedID = "call.1", "call.1", "call.2"
		mustUpsert(t, c, a, b, d)
		a, b, d = mustGet(t, c, "a.wav"), mustGet(t, c, "b.wav"), mustGet(t, c, "c.wav")
		sc, err := recordings.ParseScope("100-199")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			scope recordings.Scope
			want  []int64
		}{
			{sc, []int64{d.ID, a.ID}},
			{recordings.AllScope, []int64{d.ID, b.ID, a.ID}},
			{recordings.Scope{}, nil},
			{recordings.Scope{Ranges: []recordings.ExtRange{{Lo: "205", Hi: "205"}}}, []int64{b.ID}},
		} {
			p, err := c.Search(ctx, recordings.Query{Scope: &tc.scope, Since: t0, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for {
				for _, r := range p.Items {
					got = append(got, r.ID)
				}
				if p.Next == "" {
					break
				}
				if p, err = c.Search(ctx, recordings.Query{Scope: &tc.scope, Since: t0, Limit: 1, After: p.Next}); err != nil {
					t.Fatal(err)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || p.Total != len(tc.want) {
				t.Errorf("scope %q: %v (total %d), want %v", tc.scope, got, p.Total, tc.want)
			}
		}
		if _, err := c.GetScoped(ctx, a.ID, sc); err != nil {
			t.Errorf("in scope: %v", err)
		}
		_, errOut := c.GetScoped(ctx, b.ID, sc)
		_, errMissing := c.GetScoped(ctx, 1<<40, sc)
		if !errors.Is(errOut, recordings.ErrNotFound) || !errors.Is(errMissing, recordings.ErrNotFound) {
			t.Errorf("out of scope: %v; missing: %v", errOut, errMissing)
		}
		legs, err := c.ByLinkedIDScoped(ctx, "call.1", sc)
		if err != nil || len(legs) != 1 || legs[0].ID != a.ID {
			t.Errorf("call legs in scope: %v %v", legs, err)
		}
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		c = openAccess(t, c)
		ctx := context.Background()
		sc, _ := recordings.ParseScope("100-199,205")
		u, err := c.AddUser(ctx, User{Name: "anna", Role: recordings.RoleSupervisor, Scope: sc, PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUser(ctx, User{Name: "anna", Role: recordings.RoleUser}); !errors.Is(err, ErrExists) {
			t.Errorf("second anna: %v", err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		if err := c.CreateSession(ctx, Session{IDHash: "x1", UserID: u.ID, CSRF: "c", CreatedAt: now, SeenAt: now}); err != nil {
			t.Fatal(err)
		}
		s, su, err := c.SessionUser(ctx, "x1")
		if err != nil || su.Name != "anna" || su.Scope.String() != "100-199,205" || s.CSRF != "c" || !s.CreatedAt.Equal(now) {
			t.Fatalf("session: %+v %+v %v", s, su, err)
		}
		if err := c.SetPassword(ctx, u.ID, "h2"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.SessionUser(ctx, "x1"); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("a password change kept the session: %v", err)
		}
		c.CreateSession(ctx, Session{IDHash: "old", UserID: u.ID, CSRF: "c", CreatedAt: now.Add(-13 * time.Hour), SeenAt: now})
		c.CreateSession(ctx, Session{IDHash: "idle", UserID: u.ID, CSRF: "c", CreatedAt: now, SeenAt: now.Add(-time.Hour)})
		c.CreateSession(ctx, Session{IDHash: "x2", UserID: u.ID, CSRF: "c", CreatedAt: now, SeenAt: now})
		if n, err := c.PruneSessions(ctx, now.Add(-30*time.Minute), now.Add(-12*time.Hour)); n != 2 || err != nil {
			t.Errorf("pruned %d sessions, want 2: %v", n, err)
		}
		if err := c.RemoveUser(ctx, "anna"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.SessionUser(ctx, "x2"); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("removing the user kept the session: %v", err)
		}

		tok, err := c.AddToken(ctx, APIToken{Name: "crm", Hash: "abc", Scope: sc, ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.TokenByHash(ctx, "abc")
		if err != nil || got.ID != tok.ID || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Errorf("token: %+v %v", got, err)
		}
		if err := c.RemoveToken(ctx, "crm"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.TokenByHash(ctx, "abc"); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("removed token: %v", err)
		}

		k1, err := c.Key(ctx, "share", func() []byte { return []byte("first") })
		k2, err2 := c.Key(ctx, "share", func() []byte { return []byte("second") })
		if err != nil || err2 != nil || string(k1) != "first" || string(k2) != "first" {
			t.Errorf("key: %q %q %v %v", k1, k2, err, err2)
		}
	})
}

func TestAuditAppendAndPage(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		c = openAccess(t, c)
		ctx := context.Background()
		for i := range 25 {
			who := "anna"
			if i%2 == 1 {
				who = "bob"
			}
			e := AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Who: who, Addr: "10.0.0.1", Action: "play", RecordingID: int64(i)}
			if err := c.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		q := AuditQuery{Who: "anna", Limit: 5}
		for {
			page, next, err := c.AuditLog(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				if e.Who != "anna" {
					t.Errorf("entry of %s", e.Who)
				}
				ids = append(ids, e.RecordingID)
			}
			if next == 0 {
				break
			}
			q.Before = next
		}
		if len(ids) != 13 || ids[0] != 24 || ids[12] != 0 {
			t.Errorf("anna's entries: %v", ids)
		}
		page, _, err := c.AuditLog(ctx, AuditQuery{Since: t0.Add(10 * time.Minute), Until: t0.Add(12 * time.Minute)})
		if err != nil || len(page) != 2 {
			t.Errorf("date range: %d entries, %v", len(page), err)
		}
	})
}
