package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// Stats summarises the catalogue.
type Stats struct {
	Recordings int64                      // rows, whatever their state
	ByState    map[recordings.State]int64 // rows per state
	// The rest counts only recordings with audio (ok, writing, corrupt, empty).
	ByFormat    map[recordings.Format]int64
	ByCDRStatus map[recordings.CDRStatus]int64
	Bytes       int64 // of the files on disk
	// ArchivedBytes are those of the recordings in the archive bucket.
	ArchivedBytes  int64
	Oldest, Newest time.Time // call times; zero when there is none
}

// Stats counts recordings per state and format, their bytes on disk and the range of
// their call times. It reads every row: meant for dashboards, not per request.
func (c *Catalog) Stats(ctx context.Context) (Stats, error) {
	s := Stats{ByState: map[recordings.State]int64{}, ByFormat: map[recordings.Format]int64{}, ByCDRStatus: map[recordings.CDRStatus]int64{}}
	err := sqlrows.Each(ctx, c.rdb, func(row scanner) error {
		var (
			state          recordings.State
			format         recordings.Format
			n, bytes, arch int64
			oldest, newst  nullTime
			cdrStatus      recordings.CDRStatus
		)
		if err := row.Scan(&state, &format, &n, &bytes, &arch, &oldest, &newst, &cdrStatus); err != nil {
			return err
		}
		s.Recordings += n
		s.ByState[state] += n
		if !isLive(state) {
			return nil
		}
		s.ByCDRStatus[cdrStatus] += n
		s.ByFormat[format] += n
		s.Bytes += bytes - arch
		s.ArchivedBytes += arch
		if !oldest.T.IsZero() && (s.Oldest.IsZero() || oldest.T.Before(s.Oldest)) {
			s.Oldest = oldest.T
		}
		if newst.T.After(s.Newest) {
			s.Newest = newst.T
		}
		return nil
	}, `SELECT state, format, COUNT(*), COALESCE(SUM(size), 0),
		COALESCE(SUM(CASE WHEN storage = 's3' THEN size ELSE 0 END), 0), MIN(call_time), MAX(call_time), cdr_status FROM totalrec_recordings GROUP BY state, format, cdr_status`)
	if err != nil {
		return s, fmt.Errorf("count recordings: %w", err)
	}
	return s, nil
}
