package web

import (
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// RecordingJSON is a recording as the API and the command line print it: times in
// RFC 3339 with the PBX's offset, durations in seconds.
type RecordingJSON struct {
	ID          int64   `json:"id"`
	Path        string  `json:"path"`
	Format      string  `json:"format"`
	Size        int64   `json:"size"`
	Duration    float64 `json:"duration"`
	State       string  `json:"state"`
	Type        string  `json:"type"`
	Direction   string  `json:"direction,omitempty"`
	Dest        string  `json:"dest,omitempty"`
	From        string  `json:"from,omitempty"`
	CallTime    string  `json:"call_time"`
	UniqueID    string  `json:"uniqueid,omitempty"`
	LinkedID    string  `json:"linkedid,omitempty"`
	CDRStatus   string  `json:"cdr_status"`
	Src         string  `json:"src,omitempty"`
	Dst         string  `json:"dst,omitempty"`
	CNum        string  `json:"cnum,omitempty"`
	CNam        string  `json:"cnam,omitempty"`
	DID         string  `json:"did,omitempty"`
	Disposition string  `json:"disposition,omitempty"`
	Billsec     int     `json:"billsec,omitempty"`
	Held        bool    `json:"held,omitempty"`
	DeletedAt   string  `json:"deleted_at,omitempty"`
	Deleted     string  `json:"deleted_reason,omitempty"`
}

// PageJSON is one page of search results.
type PageJSON struct {
	Items       []RecordingJSON `json:"items"`
	Next        string          `json:"next,omitempty"`
	Total       int             `json:"total"`
	TotalCapped bool            `json:"total_capped,omitempty"`
}

// DetailJSON is one recording with the rest of its call: the other recordings
// that share its linked ID (Legs) and, when a CDR database is configured, every
// CDR row of the call (CDRLegs).
type DetailJSON struct {
	RecordingJSON
	Legs    []RecordingJSON `json:"legs"`
	CDRLegs []CDRJSON       `json:"cdr_legs,omitempty"`
}

// CDRJSON is one CDR row.
type CDRJSON struct {
	CallDate      string `json:"calldate"`
	Src           string `json:"src"`
	Dst           string `json:"dst"`
	CNum          string `json:"cnum,omitempty"`
	CNam          string `json:"cnam,omitempty"`
	DID           string `json:"did,omitempty"`
	Channel       string `json:"channel,omitempty"`
	DstChannel    string `json:"dstchannel,omitempty"`
	LastApp       string `json:"lastapp,omitempty"`
	Disposition   string `json:"disposition"`
	Duration      int    `json:"duration"`
	Billsec       int    `json:"billsec"`
	UniqueID      string `json:"uniqueid"`
	LinkedID      string `json:"linkedid,omitempty"`
	RecordingFile string `json:"recordingfile,omitempty"`
}

// NewRecordingJSON converts a recording, with times in loc.
func NewRecordingJSON(r recordings.Recording, loc *time.Location) RecordingJSON {
	j := RecordingJSON{
		ID: r.ID, Path: r.Path, Format: string(r.Format), Size: r.Size, Duration: r.Duration.Seconds(),
		State: string(r.State), Type: r.Name.Type, Direction: string(r.Direction), Dest: r.Name.Dest, From: r.Name.From,
		CallTime: r.CallTime.In(loc).Format(time.RFC3339), UniqueID: r.Name.UniqueID, LinkedID: r.LinkedID,
		CDRStatus: string(r.CDRStatus), Src: r.CDR.Src, Dst: r.CDR.Dst, CNum: r.CDR.CNum, CNam: r.CDR.CNam, DID: r.CDR.DID,
		Disposition: r.CDR.Disposition, Billsec: r.CDR.Billsec, Held: r.Held, Deleted: r.DeletedReason,
	}
	if !r.DeletedAt.IsZero() {
		j.DeletedAt = r.DeletedAt.In(loc).Format(time.RFC3339)
	}
	return j
}

// NewPageJSON converts a page of search results, with times in loc.
func NewPageJSON(p recordings.Page, loc *time.Location) PageJSON {
	out := PageJSON{Items: make([]RecordingJSON, 0, len(p.Items)), Next: p.Next, Total: p.Total, TotalCapped: p.TotalCapped}
	for _, r := range p.Items {
		out.Items = append(out.Items, NewRecordingJSON(r, loc))
	}
	return out
}

func newCDRJSON(c recordings.CDR, loc *time.Location) CDRJSON {
	j := CDRJSON{Src: c.Src, Dst: c.Dst, CNum: c.CNum, CNam: c.CNam, DID: c.DID, Channel: c.Channel,
		DstChannel: c.DstChannel, LastApp: c.LastApp, Disposition: c.Disposition, Duration: c.Duration,
		Billsec: c.Billsec, UniqueID: c.UniqueID, LinkedID: c.LinkedID, RecordingFile: c.RecordingFile}
	if !c.CallDate.IsZero() {
		j.CallDate = c.CallDate.In(loc).Format(time.RFC3339)
	}
	return j
}
