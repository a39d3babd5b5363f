package main

import (
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// recordingJSON is a recording as the command line and the API print it: times in
// RFC 3339 with the PBX's offset, durations in seconds.
type recordingJSON struct {
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

type pageJSON struct {
	Items       []recordingJSON `json:"items"`
	Next        string          `json:"next,omitempty"`
	Total       int             `json:"total"`
	TotalCapped bool            `json:"total_capped,omitempty"`
}

func toJSON(r recordings.Recording, loc *time.Location) recordingJSON {
	j := recordingJSON{
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

func searchJSON(p recordings.Page, loc *time.Location) pageJSON {
	out := pageJSON{Items: make([]recordingJSON, 0, len(p.Items)), Next: p.Next, Total: p.Total, TotalCapped: p.TotalCapped}
	for _, r := range p.Items {
		out.Items = append(out.Items, toJSON(r, loc))
	}
	return out
}
