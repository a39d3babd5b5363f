package web

import (
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// DetailJSON is one recording with the rest of its call: the other recordings
// that share its linked ID (Legs) and, when a CDR database is configured, every
// CDR row of the call (CDRLegs).
type DetailJSON struct {
	recordings.RecordingJSON
	Legs    []recordings.RecordingJSON `json:"legs"`
	CDRLegs []CDRJSON                  `json:"cdr_legs,omitempty"`
	// Pauses are when the recording was muted for sensitive data, in seconds
	// from its start.
	Pauses []PauseJSON `json:"pauses"`
	// Consent is the policy that recorded it and whether the caller heard an
	// announcement; recorded_by "" is unknown.
	Consent recordings.Consent `json:"consent"`
}

// PauseJSON is one pause of a recording: From and To are seconds from the
// recording's start (To is the recording's end while a pause has not ended).
type PauseJSON struct {
	From    float64 `json:"from"`
	To      float64 `json:"to"`
	Started string  `json:"started"`
	Ended   string  `json:"ended,omitempty"`
	By      string  `json:"by"`
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

func newCDRJSON(c recordings.CDR, loc *time.Location) CDRJSON {
	j := CDRJSON{Src: c.Src, Dst: c.Dst, CNum: c.CNum, CNam: c.CNam, DID: c.DID, Channel: c.Channel,
		DstChannel: c.DstChannel, LastApp: c.LastApp, Disposition: c.Disposition, Duration: c.Duration,
		Billsec: c.Billsec, UniqueID: c.UniqueID, LinkedID: c.LinkedID, RecordingFile: c.RecordingFile}
	if !c.CallDate.IsZero() {
		j.CallDate = c.CallDate.In(loc).Format(time.RFC3339)
	}
	return j
}
