package catalog

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// searchFixture catalogues a small, varied set of recordings; names are the paths.
func searchFixture(t *testing.T, c *Catalog) {
	t.Helper()
	mk := func(p string, minutes int, f func(r *recordings.Recording)) recordings.Recording {
		r := rec(p, minutes)
		r.CDRStatus = recordings.CDRLinked
		r.CDR.Disposition = "ANSWERED"
		r.Name.Dest, r.Name.From = "", ""
		f(&r)
		return r
	}
	mustUpsert(t, c,
		mk("in-ru-mobile", 0, func(r *recordings.Recording) {
			r.Name.From, r.CDR.Src, r.CDR.DID, r.Duration = "+79123456789", "89123456789", "74950001122", 95*time.Second
		}),
		mk("in-uk", 10, func(r *recordings.Recording) {
			r.Name.From, r.CDR.CNum, r.Name.Dest, r.Duration = "00442079460958", "02079460958", "202", 30*time.Second
			r.CDR.CNam = "Acme Sales"
		}),
		mk("in-fr", 20, func(r *recordings.Recording) {
			r.Name.From, r.Duration, r.CDR.AccountCode = "0123456789", 45*time.Second, "ACME-42"
		}),
		mk("out-ru", 30, func(r *recordings.Recording) {
			r.Name.Type, r.Direction, r.Name.Dest, r.Name.From = "out", recordings.DirOut, "8 (912) 345-67-89", "201"
			r.Format, r.CDR.Disposition, r.Duration = recordings.FormatWAV49, "NO ANSWER", 0
		}),
		mk("internal", 40, func(r *recordings.Recording) {
			r.Name.Type, r.Direction, r.Name.Dest, r.Name.From = "internal", recordings.DirInternal, "2010", "301"
			r.Duration, r.LinkedID, r.CDR.UserField = 600*time.Second, "1788970278.40", "vip_client 50%"
		}),
		mk("empty", 50, func(r *recordings.Recording) {
			r.State, r.Duration, r.Name.Type, r.Name.From = recordings.StateEmpty, 0, "q", "5550123"
		}),
		mk("missing", 60, func(r *recordings.Recording) { r.State = recordings.StateMissing }),
		mk("deleted", 70, func(r *recordings.Recording) {
			r.State, r.DeletedAt, r.DeletedReason = recordings.StateDeleted, t0, "retention"
		}),
		mk("writing", 80, func(r *recordings.Recording) {
			r.State, r.Name.Dest, r.Name.From, r.CDR.Disposition = recordings.StateWriting, "", "", ""
			r.CDRStatus = recordings.CDRPending
		}),
		mk("corrupt", 90, func(r *recordings.Recording) { r.State, r.Format = recordings.StateCorrupt, recordings.FormatGSM }),
	)
}

// paths returns the items' paths.
func paths(items []recordings.Recording) []string {
	var out []string
	for _, r := range items {
		out = append(out, r.Path)
	}
	return out
}

func TestSearchFilters(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		searchFixture(t, c)
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		live := []string{"corrupt", "writing", "empty", "internal", "out-ru", "in-fr", "in-uk", "in-ru-mobile"}
		tests := []struct {
			name string
			q    recordings.Query
			want []string // newest first
		}{
			{"zero query: live states", recordings.Query{}, live},
			{"hide empty", recordings.Query{HideEmpty: true}, without(live, "empty")},
			{"with deleted", recordings.Query{WithDeleted: true},
				[]string{"corrupt", "writing", "deleted", "missing", "empty", "internal", "out-ru", "in-fr", "in-uk", "in-ru-mobile"}},
			{"with deleted, hide empty", recordings.Query{WithDeleted: true, HideEmpty: true},
				[]string{"corrupt", "writing", "deleted", "missing", "internal", "out-ru", "in-fr", "in-uk", "in-ru-mobile"}},
			{"since inclusive", recordings.Query{Since: at(80)}, []string{"corrupt", "writing"}},
			{"until exclusive", recordings.Query{Until: at(10)}, []string{"in-ru-mobile"}},
			{"range", recordings.Query{Since: at(10), Until: at(40)}, []string{"out-ru", "in-fr", "in-uk"}},
			{"types", recordings.Query{Types: []string{"out", "internal"}}, []string{"internal", "out-ru"}},
			{"direction", recordings.Query{Direction: recordings.DirOut}, []string{"out-ru"}},
			{"min duration", recordings.Query{MinDuration: 45 * time.Second}, []string{"internal", "in-fr", "in-ru-mobile"}},
			{"max duration inclusive", recordings.Query{MaxDuration: 30 * time.Second}, []string{"corrupt", "writing", "empty", "out-ru", "in-uk"}},
			{"duration range", recordings.Query{MinDuration: 30 * time.Second, MaxDuration: 95 * time.Second},
				[]string{"in-fr", "in-uk", "in-ru-mobile"}},
			{"disposition", recordings.Query{Disposition: "NO ANSWER"}, []string{"out-ru"}},
			{"format", recordings.Query{Format: recordings.FormatWAV49}, []string{"out-ru"}},
			{"linkedid", recordings.Query{LinkedID: "1788970278.40"}, []string{"internal"}},
			{"ext matches name dest", recordings.Query{Ext: "202"}, []string{"in-uk"}},
			{"ext matches name from", recordings.Query{Ext: "201"}, []string{"out-ru"}},
			{"ext is exact", recordings.Query{Ext: "20"}, nil},
			{"ext with range", recordings.Query{Ext: "201", Since: at(31)}, nil},
			{"text: caller name, any case", recordings.Query{Text: "acme s"}, []string{"in-uk"}},
			{"text: caller name or account code", recordings.Query{Text: "Acme"}, []string{"in-fr", "in-uk"}},
			{"text: userfield", recordings.Query{Text: "VIP"}, []string{"internal"}},
			{"text: % is a percent sign", recordings.Query{Text: "0%"}, []string{"internal"}},
			{"text: _ is an underscore", recordings.Query{Text: "p_c"}, []string{"internal"}},
			{"text: ! is itself", recordings.Query{Text: "!"}, nil},
			{"combined", recordings.Query{Types: []string{"in"}, MinDuration: 40 * time.Second, Disposition: "ANSWERED", Since: at(0), Until: at(30)},
				[]string{"in-fr", "in-ru-mobile"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page, err := c.Search(context.Background(), tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := paths(page.Items); !slices.Equal(got, tt.want) {
					t.Errorf("got %q, want %q", got, tt.want)
				}
				if page.Total != len(tt.want) || page.TotalCapped || page.Next != "" {
					t.Errorf("total %d capped %v next %q; want %d, false, \"\"", page.Total, page.TotalCapped, page.Next, len(tt.want))
				}
			})
		}
	})
}

func without(list []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == drop })
}

func TestSearchNumber(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		searchFixture(t, c)
		tests := []struct {
			number string
			want   []string
		}{
			{"+7 912 345-67-89", []string{"out-ru", "in-ru-mobile"}}, // +7 and 8 prefixes are the same number
			{"89123456789", []string{"out-ru", "in-ru-mobile"}},
			{"9123456789", []string{"out-ru", "in-ru-mobile"}},
			{"6789", []string{"out-ru", "in-fr", "in-ru-mobile"}}, // last digits
			{"789", []string{"out-ru", "in-fr", "in-ru-mobile"}},  // the minimum
			{"+44 20 7946 0958", []string{"in-uk"}},
			{"020 7946 0958", []string{"in-uk"}},
			{"0044 20 7946 0958", []string{"in-uk"}},
			// A national number with trunk 0 matches its last 9 digits, which other
			// countries' numbers may share.
			{"01 23 45 67 89", []string{"out-ru", "in-fr", "in-ru-mobile"}},
			{"74950001122", []string{"in-ru-mobile"}},
			{"0001122", []string{"in-ru-mobile"}},
			{"5550123", []string{"empty"}},
			{"201", []string{"out-ru"}}, // "2010" does not end in 201
			{"4912345678", nil},
			{"1234567890123", nil},
		}
		for _, tt := range tests {
			t.Run(tt.number, func(t *testing.T) {
				page, err := c.Search(context.Background(), recordings.Query{Number: tt.number})
				if err != nil {
					t.Fatal(err)
				}
				if got := paths(page.Items); !slices.Equal(got, tt.want) {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
	})
}

func TestSearchRefusesBadInput(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		searchFixture(t, c)
		bad := []recordings.Query{
			{Number: "12"},
			{Number: "+-()"},
			{Number: "١٢٣٤٥"}, // non-ASCII digits are not digits here
			{Number: strings.Repeat("1", 300)},
			{Ext: "abc"},
			{Ext: strings.Repeat("1", 33)},
			{Since: t0, Until: t0.Add(-time.Second)},
			{MinDuration: -time.Second},
			{MinDuration: time.Minute, MaxDuration: time.Second},
			{Types: make([]string, 33)},
			{Types: []string{strings.Repeat("x", 33)}},
			{Disposition: "bad\xff"},
			{Types: []string{"in", "bogus"}}, // closed sets: a misspelt value matches nothing
			{Disposition: "MAYBE"},
			{Disposition: "answered"}, // exact: callers upper-case what people type
			{Format: "mp3"},
			{Direction: "sideways"},
			{LinkedID: strings.Repeat("1", 151)},
			{Sort: "name"},
			{After: "!!!"},
			{After: "e30"}, // {}
			{After: strings.Repeat("A", 300)},
		}
		for _, q := range bad {
			if _, err := c.Search(context.Background(), q); !errors.Is(err, recordings.ErrInvalid) {
				t.Errorf("Search(%+v) = %v, want ErrInvalid", q, err)
			}
		}
	})
}

func TestSearchHostileInput(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		searchFixture(t, c)
		hostile := []string{
			`' OR '1'='1`, `"; DROP TABLE totalrec_recordings; --`, `%`, `_`, `\`, `%_%`,
			"名前📞", "ANSWERED' --", "\u0000", strings.Repeat("%", 30),
		}
		ctx := context.Background()
		for _, s := range hostile {
			for _, q := range []recordings.Query{
				{Disposition: clip(s, lenDisp)}, {Types: []string{clip(s, lenType)}}, {LinkedID: s},
				{Format: recordings.Format(clip(s, lenShort))}, {Direction: recordings.Direction(clip(s, lenShort))},
				{Number: s + "7890"}, {Ext: s + "201"},
			} {
				page, err := c.Search(ctx, q)
				if errors.Is(err, recordings.ErrInvalid) && q.Number == "" && q.Ext == "" && q.LinkedID == "" {
					continue // not a value of the closed set: refused before any SQL
				}
				if err != nil {
					t.Errorf("Search(%+v): %v", q, err)
					continue
				}
				for _, r := range page.Items {
					if q.Number == "" && q.Ext == "" {
						t.Errorf("Search(%+v) matched %q", q, r.Path)
					}
				}
			}
		}
		// A cursor may also carry hostile text; it is decoded, never spliced.
		if _, err := c.Search(ctx, recordings.Query{After: encodeCursor(recordings.SortTimeDesc, recordings.Recording{ID: 1, CallTime: t0})}); err != nil {
			t.Errorf("valid cursor: %v", err)
		}
		page, err := c.Search(ctx, recordings.Query{WithDeleted: true})
		if err != nil || page.Total != 10 {
			t.Fatalf("catalogue damaged: total %d, %v", page.Total, err)
		}
	})
}
