package recordings

import "time"

// RecordingJSON is a recording as every JSON consumer gets it: the API
// (GET /api/v1/recordings…), `totalrec search --json` and the webhook payloads.
// Times are RFC 3339 with the PBX's offset, durations in seconds. Every field is
// always present, "", 0 or false when unknown: a CRM with a strict schema never
// sees a key come and go (json_test.go holds the list).
type RecordingJSON struct {
	ID          int64   `json:"id"`
	Node        string  `json:"node,omitempty"`    // the PBX, when several share the catalogue
	Storage     string  `json:"storage,omitempty"` // "s3" when the recording is in the archive bucket
	Path        string  `json:"path"`
	Format      string  `json:"format"`
	Size        int64   `json:"size"`
	Duration    float64 `json:"duration"`
	State       string  `json:"state"`
	Type        string  `json:"type"`
	Direction   string  `json:"direction"`
	Dest        string  `json:"dest"`
	From        string  `json:"from"`
	CallTime    string  `json:"call_time"`
	UniqueID    string  `json:"uniqueid"`
	LinkedID    string  `json:"linkedid"`
	CDRStatus   string  `json:"cdr_status"`
	Src         string  `json:"src"`
	Dst         string  `json:"dst"`
	CNum        string  `json:"cnum"`
	CNam        string  `json:"cnam"`
	DID         string  `json:"did"`
	Disposition string  `json:"disposition"`
	Billsec     int     `json:"billsec"`
	Held        bool    `json:"held"`
	DeletedAt   string  `json:"deleted_at"`
	Deleted     string  `json:"deleted_reason"`
}

// PageJSON is one page of search results, as the API and the command line print it.
type PageJSON struct {
	Items       []RecordingJSON `json:"items"`
	Next        string          `json:"next,omitempty"`
	Total       int             `json:"total"`
	TotalCapped bool            `json:"total_capped,omitempty"`
}

// NewRecordingJSON converts a recording, with times in loc.
func NewRecordingJSON(r Recording, loc *time.Location) RecordingJSON {
	j := RecordingJSON{
		ID: r.ID, Node: r.Node, Path: r.Path, Format: string(r.Format), Size: r.Size, Duration: r.Duration.Seconds(),
		State: string(r.State), Type: r.Name.Type, Direction: string(r.Direction), Dest: r.Name.Dest, From: r.Name.From,
		CallTime: r.CallTime.In(loc).Format(time.RFC3339), UniqueID: r.Name.UniqueID, LinkedID: r.LinkedID,
		CDRStatus: string(r.CDRStatus), Src: r.CDR.Src, Dst: r.CDR.Dst, CNum: r.CDR.CNum, CNam: r.CDR.CNam, DID: r.CDR.DID,
		Disposition: r.CDR.Disposition, Billsec: r.CDR.Billsec, Held: r.Held, Deleted: r.DeletedReason,
	}
	if r.Storage == StorageS3 {
		j.Storage = r.Storage
	}
	if !r.DeletedAt.IsZero() {
		j.DeletedAt = r.DeletedAt.In(loc).Format(time.RFC3339)
	}
	return j
}

// NewPageJSON converts a page of search results, with times in loc.
func NewPageJSON(p Page, loc *time.Location) PageJSON {
	out := PageJSON{Items: make([]RecordingJSON, 0, len(p.Items)), Next: p.Next, Total: p.Total, TotalCapped: p.TotalCapped}
	for _, r := range p.Items {
		out.Items = append(out.Items, NewRecordingJSON(r, loc))
	}
	return out
}
