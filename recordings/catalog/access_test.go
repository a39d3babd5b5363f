package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// TestScopeLookups: search, lookup by ID and by call honour a scope, on both
// dialects; out of scope is ErrNotFound like a missing ID.
func TestScopeLookups(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		a, b, d := rec("a.wav", 1), rec("b.wav", 2), rec("c.wav", 3)
		a.Name.Dest, a.Name.From = "105", "+79123456789" // in 100-199
		b.Name.Dest, b.Name.From = "205", "+79123456780" // out
		d.Name.Dest, d.Name.From = "1050", "105"         // in, by its caller: an internal call
		d.Name.Type, d.Direction = "internal", recordings.DirInternal
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

// TestScopeNodes: a scope's entries may be limited to one node; search and the
// lookup by ID agree with recordings.Scope.Admits on both dialects.
func TestScopeNodes(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		var recs []recordings.Recording
		for i, nd := range [][2]string{{"", "105"}, {"pbx1", "105"}, {"pbx1", "205"}, {"pbx2", "105"}, {"pbx2", "205"}, {"", "205"}} {
			r := rec(fmt.Sprintf("n%d.wav", i), i)
			r.Node, r.Name.Type, r.Name.Dest = nd[0], "in", nd[1]
			recs = append(recs, r)
		}
		mustUpsert(t, c, recs...)
		p, err := c.Search(ctx, recordings.Query{Since: t0, Limit: 100})
		if err != nil || len(p.Items) != len(recs) {
			t.Fatalf("%d recordings, %v", len(p.Items), err)
		}
		all := p.Items
		for _, in := range []string{"pbx1:100-199", "pbx1:100-199,pbx2:205", "205,pbx2:*", "pbx3:*", "pbx1:105,105"} {
			sc, err := recordings.ParseScope(in)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, r := range all {
				if sc.Admits(r) {
					want = append(want, r.ID)
				}
				_, err := c.GetScoped(ctx, r.ID, sc)
				if (err == nil) != sc.Admits(r) {
					t.Errorf("scope %q, recording of %q to %s: GetScoped %v", in, r.Node, r.Name.Dest, err)
				}
			}
			p, err := c.Search(ctx, recordings.Query{Since: t0, Limit: 100, Scope: &sc})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range p.Items {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("scope %q: %v, want %v", in, got, want)
			}
			if in == "pbx3:*" && len(want) != 0 || in == "pbx1:100-199" && len(want) != 1 {
				t.Errorf("scope %q admits %d recordings", in, len(want))
			}
		}
	})
}

// partyCases are recordings and whether scope 100-199 sees them: the rule of
// recordings.Parties, row by row. "in" names hold the called extension and the
// caller ID; trunk channels hold no extension.
var partyCases = []struct {
	name  string
	typ   string
	dest  string
	from  string
	cdr   recordings.CDR
	in100 bool
}{
	{"inbound answered by 300, caller ID 150", "in", "300", "150",
		recordings.CDR{Src: "150", Dst: "300", CNum: "150", Channel: "PJSIP/trunk-00000086", DstChannel: "PJSIP/300-00000087"}, false},
	{"the same before its CDR", "in", "300", "150", recordings.CDR{}, false},
	{"inbound, caller ID 150 in another shape", "in", "300", "+150", recordings.CDR{Src: "+150", CNum: "150", DID: "150",
		Channel: "SIP/provider-0000000a", DstChannel: "SIP/300-0000000b"}, false},
	{"ring group answered by 150", "rg", "600", "79161234567",
		recordings.CDR{Src: "79161234567", Dst: "600", Channel: "PJSIP/trunk-00000001", DstChannel: "PJSIP/150-00000002"}, true},
	{"queue answered by 150 through a Local channel", "q", "500", "79161234567",
		recordings.CDR{Src: "79161234567", Dst: "500", Channel: "IAX2/trunk-1234", DstChannel: "Local/150@from-queue-00000003;1"}, true},
	{"inbound to 150 by its name", "in", "150", "79161234567", recordings.CDR{}, true},
	{"exten to 120", "exten", "120", "300", recordings.CDR{}, true},
	{"internal from 150 to 300", "internal", "300", "150", recordings.CDR{}, true},
	{"out from 150", "out", "79161234567", "150", recordings.CDR{}, true},
	{"out from 300 dialling 150", "out", "150", "300", recordings.CDR{Channel: "PJSIP/300-00000004", DstChannel: "PJSIP/trunk-00000005"}, false},
	{"phone to phone, src 150", "other", "", "", recordings.CDR{Src: "150", Channel: "PJSIP/300-00000006", DstChannel: "SIP/301-00000007"}, true},
	{"phone to trunk, cnum 150", "other", "", "", recordings.CDR{CNum: "150", Channel: "PJSIP/300-00000008", DstChannel: "PJSIP/trunk-00000009"}, false},
	{"caller on IAX2 phone 150", "auto", "300", "150", recordings.CDR{Channel: "IAX2/150-4321", DstChannel: "PJSIP/trunk-0000000a"}, true},
	{"DAHDI channel 150", "other", "", "", recordings.CDR{Channel: "DAHDI/150-1", DstChannel: "PJSIP/trunk-0000000b"}, false},
	{"channel resources not all digits", "other", "", "", recordings.CDR{Src: "150", Channel: "PJSIP/1.5.0-0000000c", DstChannel: "PJSIP/15:-0000000d"}, false},
	{"auto name with caller ID 150", "auto", "300", "150", recordings.CDR{}, false},
	{"external with dest 150", "external", "150", "300", recordings.CDR{}, false},
	{"conference room 150", "conf", "150", "150", recordings.CDR{}, true},
	{"DID and dst 150 only", "in", "4951234567", "79161234567", recordings.CDR{DID: "150", Dst: "150"}, false},
}

// TestScopeParties: scope follows the extensions that took part in a call —
// channels, the dialplan's destination, the caller fields of internal calls
// only — never a caller ID a trunk's caller chose; on both dialects, search,
// lookup by ID and the legs of a call agree with recordings.Scope.Admits, for
// scopes of one extension, of ranges and of hundreds of ranges.
func TestScopeParties(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		var recs []recordings.Recording
		for i, pc := range partyCases {
			r := rec(fmt.Sprintf("p%d.wav", i), i)
			r.Name.Type, r.Name.Dest, r.Name.From = pc.typ, pc.dest, pc.from
			r.LinkedID = "call.parties"
			mustUpsert(t, c, r)
			r = mustGet(t, c, r.Path)
			if pc.cdr != (recordings.CDR{}) {
				if err := c.SetCDR(ctx, r.ID, recordings.CDRLinked, pc.cdr, 1, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			r, err := c.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		var odd []string
		for n := 101; n < 1000; n += 2 {
			odd = append(odd, strconv.Itoa(n))
		}
		for _, text := range []string{"100-199", "150", "300", "120,500-600", strings.Join(odd, ",")} {
			sc, err := recordings.ParseScope(text)
			if err != nil {
				t.Fatal(err)
			}
			found := map[int64]bool{}
			p, err := c.Search(ctx, recordings.Query{Scope: &sc, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Items {
				found[r.ID] = true
			}
			bounded, err := c.Search(ctx, recordings.Query{Scope: &sc, Since: t0, Until: t0.Add(time.Hour), Limit: 1000})
			if err != nil || len(bounded.Items) != len(p.Items) || p.Total != len(p.Items) {
				t.Errorf("scope %s: %d items within a time range, %d (total %d) without (%v)", clip(text, 20), len(bounded.Items), len(p.Items), p.Total, err)
			}
			legs, err := c.ByLinkedIDScoped(ctx, "call.parties", sc)
			if err != nil {
				t.Fatal(err)
			}
			inLegs := map[int64]bool{}
			for _, r := range legs {
				inLegs[r.ID] = true
			}
			for i, r := range recs {
				w := sc.Admits(r)
				if text == "100-199" && w != partyCases[i].in100 {
					t.Errorf("%s: Admits %v, want %v (parties %v)", partyCases[i].name, w, partyCases[i].in100, recordings.Parties(r))
				}
				_, err := c.GetScoped(ctx, r.ID, sc)
				if found[r.ID] != w || inLegs[r.ID] != w || (err == nil) != w {
					t.Errorf("scope %s, %s: search %v, legs %v, get %v; want in scope %v", clip(text, 20), partyCases[i].name, found[r.ID], inLegs[r.ID], err, w)
				}
			}
		}
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		sc, _ := recordings.ParseScope("100-199,205")
		u, err := c.AddUser(ctx, recordings.User{Name: "anna", Role: recordings.RoleSupervisor, Scope: sc, PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUser(ctx, recordings.User{Name: "anna", Role: recordings.RoleUser}); !errors.Is(err, recordings.ErrExists) {
			t.Errorf("second anna: %v", err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		if err := c.CreateSession(ctx, recordings.Session{IDHash: "x1", UserID: u.ID, CSRF: "c", CreatedAt: now, SeenAt: now}); err != nil {
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
		c.CreateSession(ctx, recordings.Session{IDHash: "old", UserID: u.ID, CSRF: "c", CreatedAt: now.Add(-13 * time.Hour), SeenAt: now})
		c.CreateSession(ctx, recordings.Session{IDHash: "idle", UserID: u.ID, CSRF: "c", CreatedAt: now, SeenAt: now.Add(-time.Hour)})
		c.CreateSession(ctx, recordings.Session{IDHash: "x2", UserID: u.ID, CSRF: "c", CreatedAt: now, SeenAt: now})
		if n, err := c.PruneSessions(ctx, now.Add(-30*time.Minute), now.Add(-12*time.Hour)); n != 2 || err != nil {
			t.Errorf("pruned %d sessions, want 2: %v", n, err)
		}
		if err := c.RemoveUser(ctx, "anna"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.SessionUser(ctx, "x2"); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("removing the user kept the session: %v", err)
		}

		tok, err := c.AddToken(ctx, recordings.APIToken{Name: "crm", Hash: "abc", Scope: sc, ExpiresAt: now.Add(time.Hour)})
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
		ctx := context.Background()
		for i := range 25 {
			who := "anna"
			if i%2 == 1 {
				who = "bob"
			}
			e := recordings.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Who: who, Addr: "10.0.0.1", Action: "play", RecordingID: int64(i)}
			if err := c.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		q := recordings.AuditQuery{Who: "anna", Limit: 5}
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
		page, _, err := c.AuditLog(ctx, recordings.AuditQuery{Since: t0.Add(10 * time.Minute), Until: t0.Add(12 * time.Minute)})
		if err != nil || len(page) != 2 {
			t.Errorf("date range: %d entries, %v", len(page), err)
		}
	})
}

// TestUseNonce: a sign-on nonce is used once, whoever asks — another handle on
// the same database (a restarted or second server) and racing goroutines
// included — until it expires; expired nonces are pruned.
func TestUseNonce(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		first := openTest(t, dsn)
		until := t0.Add(90 * time.Second)
		if ok, err := first.UseNonce(ctx, "n1", until, t0); !ok || err != nil {
			t.Fatalf("first use: %v %v", ok, err)
		}
		if ok, err := first.UseNonce(ctx, "n1", until, t0); ok || err != nil {
			t.Fatalf("replay on the same handle: %v %v", ok, err)
		}
		first.Close()
		second := openTest(t, dsn) // the server restarted
		if ok, err := second.UseNonce(ctx, "n1", until, t0.Add(time.Minute)); ok || err != nil {
			t.Fatalf("replay after a restart: %v %v", ok, err)
		}

		var wg sync.WaitGroup
		var wins atomic.Int32
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := second.UseNonce(ctx, "raced", until, t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("%d racing uses of one nonce won, want 1", wins.Load())
		}

		// Past its expiry the row is pruned by the next use of any nonce.
		if ok, err := second.UseNonce(ctx, "n2", until.Add(time.Hour), until.Add(time.Second)); !ok || err != nil {
			t.Fatalf("another nonce: %v %v", ok, err)
		}
		var n int
		if err := second.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_sso_nonces`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d nonces kept after pruning, want 1 (%v)", n, err)
		}
		if _, err := second.UseNonce(ctx, "", until, t0); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("empty nonce: %v", err)
		}
	})
}
