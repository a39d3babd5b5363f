package cdr

import (
	"path"
	"slices"
	"strings"

	"github.com/totalrec/totalrec/recordings"
)

// PickLeg chooses, among the rows of one call (as Legs returns them), the row that
// describes the recording whose parsed name is name and whose file name is
// recordingFile. It reports false only when legs is empty. The rules, each deciding
// only among the rows the rules before it left tied:
//
//  1. A row whose recordingfile names this file wins. The comparison ignores the
//     directory and the extension: the CDR may say ".wav49" where the disk has ".WAV".
//  2. A row whose uniqueid is the name's uniqueid: the channel that was recorded.
//  3. An ANSWERED row beats NO ANSWER, BUSY, FAILED and CONGESTION.
//  4. The longer billsec.
//  5. The earlier calldate; then the order of legs.
//
// Before the rules apply, a hangup-handler row (dst "h", usually with lastapp Hangup,
// which FreePBX writes for the recorded channel) is set aside whenever another row of
// the same uniqueid exists, and that row inherits its recordingfile match; an "h" row
// that is its uniqueid's only row competes like any other. lastapp alone does not mark
// such a row: a call that ends in the dialplan's Hangup() has it too.
//
// The chosen row is then completed from the call's other rows: an empty recordingfile
// from the row that matched the file, and an empty did, cnum, cnam or linkedid from
// the first row that has one, rows of the same uniqueid first; cnum and cnam only
// from rows of the same src (the same caller).
func PickLeg(legs []recordings.CDR, name recordings.Name, recordingFile string) (recordings.CDR, bool) {
	if len(legs) == 0 {
		return recordings.CDR{}, false
	}
	stem := fileStem(recordingFile)
	matches := func(c recordings.CDR) bool { return stem != "" && fileStem(c.RecordingFile) == stem }

	hasOther := map[string]bool{} // uniqueids with a row that is not a hangup row
	for _, l := range legs {
		if !isHangupRow(l) {
			hasOther[l.UniqueID] = true
		}
	}
	inherits := map[string]bool{} // uniqueids whose set-aside hangup row names the file
	var fileRow *recordings.CDR
	for i, l := range legs {
		if matches(l) {
			if fileRow == nil {
				fileRow = &legs[i]
			}
			if isHangupRow(l) && hasOther[l.UniqueID] {
				inherits[l.UniqueID] = true
			}
		}
	}

	best, bestRank := -1, rank{}
	for i, l := range legs {
		if isHangupRow(l) && hasOther[l.UniqueID] {
			continue
		}
		r := rank{
			file:     matches(l) || inherits[l.UniqueID],
			uniqueID: name.UniqueID != "" && l.UniqueID == name.UniqueID,
			answered: l.Disposition == "ANSWERED",
			billsec:  l.Billsec,
		}
		if best < 0 || r.beats(bestRank, l, legs[best]) {
			best, bestRank = i, r
		}
	}
	chosen := legs[best]
	if chosen.RecordingFile == "" && fileRow != nil {
		chosen.RecordingFile = fileRow.RecordingFile
	}
	fill(&chosen.DID, legs, chosen.UniqueID, func(c recordings.CDR) string { return c.DID })
	// Caller ID comes only from legs of the same caller: the leg a transfer
	// made has the transferring extension as its caller, not the customer.
	sameCaller := slices.DeleteFunc(slices.Clone(legs), func(c recordings.CDR) bool { return c.Src != chosen.Src })
	fill(&chosen.CNum, sameCaller, chosen.UniqueID, func(c recordings.CDR) string { return c.CNum })
	fill(&chosen.CNam, sameCaller, chosen.UniqueID, func(c recordings.CDR) string { return c.CNam })
	fill(&chosen.LinkedID, legs, chosen.UniqueID, func(c recordings.CDR) string { return c.LinkedID })
	return chosen, true
}

// rank is a row's standing under rules 1–4.
type rank struct {
	file, uniqueID, answered bool
	billsec                  int
}

// beats reports whether r (for row a) outranks s (for row b); equal ranks fall to
// the earlier calldate, and a full tie keeps b, the row met first.
func (r rank) beats(s rank, a, b recordings.CDR) bool {
	switch {
	case r.file != s.file:
		return r.file
	case r.uniqueID != s.uniqueID:
		return r.uniqueID
	case r.answered != s.answered:
		return r.answered
	case r.billsec != s.billsec:
		return r.billsec > s.billsec
	}
	return a.CallDate.Before(b.CallDate)
}

// isHangupRow reports whether a row was written by the h extension (the hangup
// handler) rather than by the call itself.
func isHangupRow(c recordings.CDR) bool { return c.Dst == "h" }

// fileStem is a file name without directory and extension.
func fileStem(name string) string {
	if name == "" {
		return ""
	}
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

// fill sets an empty *dst from the first leg with a value, legs of uniqueid first.
func fill(dst *string, legs []recordings.CDR, uniqueid string, get func(recordings.CDR) string) {
	if *dst != "" {
		return
	}
	for _, sameChannel := range []bool{true, false} {
		for _, l := range legs {
			if (l.UniqueID == uniqueid) == sameChannel && get(l) != "" {
				*dst = get(l)
				return
			}
		}
	}
}
