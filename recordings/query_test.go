package recordings_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func TestQueryValidate(t *testing.T) {
	types := slices.Repeat([]string{"in"}, recordings.MaxTypes)
	for _, tt := range []struct {
		name  string
		q     recordings.Query
		field string // "" when valid
	}{
		{"zero", recordings.Query{}, ""},
		{"as many types as there are", recordings.Query{Types: types}, ""},
		{"more types", recordings.Query{Types: append(types, "out")}, "type"},
		{"unknown type", recordings.Query{Types: []string{"inn"}}, "type"},
		{"direction", recordings.Query{Direction: "sideways"}, "direction"},
		{"disposition", recordings.Query{Disposition: "answered"}, "disposition"},
		{"format", recordings.Query{Format: "mp3"}, "format"},
		{"sort", recordings.Query{Sort: "size"}, "sort"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			// Wrapped as callers wrap it, it is still a QueryError and ErrInvalid.
			err = fmt.Errorf("search: %w", err)
			var qe *recordings.QueryError
			if !errors.As(err, &qe) || qe.Field != tt.field || !errors.Is(err, recordings.ErrInvalid) {
				t.Fatalf("Validate: %v, want a QueryError for %s matching ErrInvalid", err, tt.field)
			}
		})
	}
}
