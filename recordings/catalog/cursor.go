package catalog

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// cursor is the position after the last row of a page: its sort key and id. Clients
// see it as opaque base64url JSON; the sort name in it makes a cursor from another
// sort order fail instead of silently skipping rows.
type cursor struct {
	Sort recordings.Sort `json:"s"`
	Key  int64           `json:"k"` // call time in Unix microseconds, or duration in ms
	ID   int64           `json:"i"`
}

// maxCursor bounds what decodeCursor reads.
const maxCursor = 256

func encodeCursor(s recordings.Sort, r recordings.Recording) string {
	cur := cursor{Sort: s, ID: r.ID}
	switch s {
	case recordings.SortDurationAsc, recordings.SortDurationDesc:
		cur.Key = r.Duration.Milliseconds()
	default:
		cur.Key = r.CallTime.UnixMicro()
	}
	b, _ := json.Marshal(cur) // a struct of strings and ints always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s recordings.Sort, text string) (cursor, error) {
	var cur cursor
	if len(text) > maxCursor {
		return cur, recordings.Invalidf("cursor", "too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return cur, recordings.Invalidf("cursor", "not base64url")
	}
	if err := json.Unmarshal(b, &cur); err != nil {
		return cur, recordings.Invalidf("cursor", "malformed")
	}
	if cur.Sort != s {
		return cur, recordings.Invalidf("cursor", "made for sort %q, not %q", clip(string(cur.Sort), 20), s)
	}
	if cur.ID <= 0 {
		return cur, recordings.Invalidf("cursor", "bad id")
	}
	if t := cur.time(); cur.isTime() && (t.Before(minTime) || t.After(maxTime)) {
		return cur, recordings.Invalidf("cursor", "time out of range")
	}
	return cur, nil
}

func (cur cursor) isTime() bool {
	return cur.Sort == recordings.SortTimeAsc || cur.Sort == recordings.SortTimeDesc
}

func (cur cursor) time() time.Time { return time.UnixMicro(cur.Key).UTC() }
