package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func TestSettings(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		if v, err := c.Setting(ctx, "language"); err != nil || v != "" {
			t.Fatalf("unset: %q %v", v, err)
		}
		for _, v := range []string{"ru", "en"} {
			if err := c.SetSetting(ctx, "language", v, "admin"); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Setting(ctx, "language"); err != nil || got != v {
				t.Errorf("after setting %q: %q %v", v, got, err)
			}
		}
		if err := c.SetSetting(ctx, "language", "", "admin"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Setting(ctx, "language"); err != nil || v != "" {
			t.Errorf("unset again: %q %v", v, err)
		}
		if err := c.SetSetting(ctx, "language", strings.Repeat("x", 2000), "admin"); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("a long value: %v", err)
		}
	})
}
