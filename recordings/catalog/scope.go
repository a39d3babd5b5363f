package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/totalrec/totalrec/recordings"
)

// A user's scope is applied here, in the catalogue, so that every way to a
// recording — search, the lookup by ID behind audio, downloads and waveforms,
// the legs of a call, exports — goes through the same condition. A recording is
// in scope when one of its number keys (totalrec_numbers: the name's dest and
// from, the CDR's src, dst, cnum and did, digits only) equals one of the scope's
// extensions. The extensions are expanded (recordings.MaxScopeExtensions at most)
// and matched as exact keys, which the numbers table's primary key serves.
//
// A recording out of scope is reported exactly as a recording that does not
// exist: recordings.ErrNotFound, with the same message.

// scopeKeys returns the number keys of a scope's extensions; nil for All.
func scopeKeys(s recordings.Scope) []any {
	if s.All {
		return nil
	}
	exts := s.Extensions()
	keys := make([]any, len(exts))
	for i, e := range exts {
		keys[i] = reverse(e)
	}
	return keys
}

// scopeExists is the condition "recording r is in scope s", checked through the
// recording's own number rows; "" for All. It suits lookups of a few recordings.
func scopeExists(s recordings.Scope) (string, []any) {
	if s.All {
		return "", nil
	}
	keys := scopeKeys(s)
	if len(keys) == 0 {
		return "1 = 0", nil
	}
	return `EXISTS (SELECT 1 FROM totalrec_numbers n WHERE n.recording_id = r.id AND n.num_rev IN ` +
		placeholders(1, len(keys)) + `)`, keys
}

// scopeFilter is the search's scope condition: the recordings with a number in
// scope within the search's time bounds, found on the numbers index like an
// extension filter.
func (c *Catalog) scopeFilter(s recordings.Scope, bounds []timeBound) (string, []any) {
	keys := scopeKeys(s)
	if len(keys) == 0 {
		return "1 = 0", nil
	}
	return c.numberFilter(`n.num_rev IN `+placeholders(1, len(keys)), bounds, keys...)
}

// GetScoped returns the recording with the given ID if it is in scope; a
// recording out of scope is recordings.ErrNotFound, as one that does not exist.
func (c *Catalog) GetScoped(ctx context.Context, id int64, scope recordings.Scope) (recordings.Recording, error) {
	if scope.All {
		return c.Get(ctx, id)
	}
	q := `SELECT ` + recordingCols + ` FROM totalrec_recordings r WHERE r.id = ?`
	args := []any{id}
	if cond, cargs := scopeExists(scope); cond != "" {
		q += ` AND ` + cond
		args = append(args, cargs...)
	}
	r, err := scanRecording(c.rdb.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return recordings.Recording{}, fmt.Errorf("get recording %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return recordings.Recording{}, fmt.Errorf("get recording %d: %w", id, err)
	}
	return r, nil
}

// ByLinkedIDScoped is ByLinkedID limited to the recordings in scope.
func (c *Catalog) ByLinkedIDScoped(ctx context.Context, linkedid string, scope recordings.Scope) ([]recordings.Recording, error) {
	if scope.All {
		return c.ByLinkedID(ctx, linkedid)
	}
	if linkedid == "" {
		return nil, fmt.Errorf("list call recordings: empty linked id: %w", recordings.ErrInvalid)
	}
	cond, args := scopeExists(scope)
	recs, err := c.queryRecordings(ctx, `SELECT `+recordingCols+` FROM (
			SELECT id FROM totalrec_recordings WHERE linkedid = ?
			UNION
			SELECT id FROM totalrec_recordings WHERE uniqueid = ?) u
		JOIN totalrec_recordings r ON r.id = u.id
		WHERE `+cond+`
		ORDER BY r.call_time, r.id`, append([]any{linkedid, linkedid}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list call recordings: %w", err)
	}
	return recs, nil
}
