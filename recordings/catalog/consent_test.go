package catalog

import (
	"context"
	"errors"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

// TestConsent: a recording's policy and announcement are stored once (a second
// hook adds an announcement, never changes the policy), read back, and searched.
func TestConsent(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		mustUpsert(t, c, rec("2026/11/26/in-100-200-20261126-100000-1.1.wav", 0), rec("2026/11/26/in-100-200-20261126-100100-1.2.wav", 1))
		a := mustGet(t, c, "2026/11/26/in-100-200-20261126-100000-1.1.wav")
		b := mustGet(t, c, "2026/11/26/in-100-200-20261126-100100-1.2.wav")
		if k, err := c.ConsentOf(ctx, a.ID); err != nil || k != (recordings.Consent{}) {
			t.Fatalf("before: %+v %v", k, err)
		}
		if err := c.SetConsent(ctx, a.ID, recordings.Consent{RecordedBy: recordings.RecordedForced}); err != nil {
			t.Fatal(err)
		}
		if err := c.SetConsent(ctx, a.ID, recordings.Consent{RecordedBy: recordings.RecordedPolicy, Announced: true}); err != nil {
			t.Fatal(err)
		}
		if err := c.SetConsent(ctx, a.ID, recordings.Consent{RecordedBy: recordings.RecordedForced}); err != nil {
			t.Fatal(err)
		}
		if k, err := c.ConsentOf(ctx, a.ID); err != nil || k != (recordings.Consent{RecordedBy: recordings.RecordedForced, Announced: true}) {
			t.Errorf("after: %+v %v", k, err)
		}
		if err := c.SetConsent(ctx, b.ID, recordings.Consent{RecordedBy: recordings.RecordedPolicy}); err != nil {
			t.Fatal(err)
		}
		p, err := c.Search(ctx, recordings.Query{RecordedBy: recordings.RecordedForced, Limit: 10})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != a.ID || p.Total != 1 {
			t.Errorf("search forced: %+v %v", p, err)
		}
		if _, err := c.Search(ctx, recordings.Query{RecordedBy: "maybe", Limit: 10}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("search by an unknown policy: %v", err)
		}
		if err := c.SetConsent(ctx, b.ID, recordings.Consent{RecordedBy: "whim"}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("an unknown policy stored: %v", err)
		}
	})
}
