package cdr_test

import (
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

func TestPickLeg(t *testing.T) {
	t0 := time.Date(2024, 3, 5, 13, 30, 0, 0, time.UTC)
	const file = "in-4930123456-5557654321-20240305-143000-1709645400.100.wav"
	row := func(id, uid, dst, disp string, billsec int, rf string) recordings.CDR {
		// AccountCode carries the row's test id, so that a merged copy is still recognisable.
		return recordings.CDR{CallDate: t0, AccountCode: id, UniqueID: uid, Dst: dst, Disposition: disp, Billsec: billsec, RecordingFile: rf}
	}
	at := func(c recordings.CDR, d time.Duration) recordings.CDR { c.CallDate = t0.Add(d); return c }
	with := func(c recordings.CDR, did, cnum, cnam string) recordings.CDR {
		c.DID, c.CNum, c.CNam = did, cnum, cnam
		return c
	}
	tests := []struct {
		name     string
		legs     []recordings.CDR
		uniqueid string // the recording name's uniqueid
		file     string
		want     string // the chosen row's id; "" = none
		wantFile string // the chosen row's recordingfile after merging
	}{
		{"no legs", nil, "1.1", file, "", ""},
		{"1 recordingfile wins over uniqueid, answer and billsec",
			[]recordings.CDR{row("a", "1.1", "600", "ANSWERED", 100, ""), row("b", "1.2", "101", "NO ANSWER", 0, file)},
			"1.1", file, "b", file},
		{"1 recordingfile compares without extension (wav49 vs WAV)",
			[]recordings.CDR{row("a", "1.1", "600", "ANSWERED", 100, ""), row("b", "1.2", "101", "NO ANSWER", 0, "x-1.1.wav49")},
			"", "x-1.1.WAV", "b", "x-1.1.wav49"},
		{"1 recordingfile compares without directory",
			[]recordings.CDR{row("a", "1.1", "600", "ANSWERED", 100, ""), row("b", "1.2", "101", "NO ANSWER", 0, "2024/03/05/"+file)},
			"", file, "b", "2024/03/05/" + file},
		{"2 uniqueid of the name wins over answer and billsec",
			[]recordings.CDR{row("a", "1.2", "101", "ANSWERED", 100, ""), row("b", "1.1", "600", "NO ANSWER", 0, "")},
			"1.1", file, "b", ""},
		{"h row set aside when its uniqueid has another row, which inherits the file",
			[]recordings.CDR{at(row("h", "1.1", "h", "ANSWERED", 110, file), 110*time.Second), row("a", "1.1", "600", "ANSWERED", 95, "")},
			"1.1", file, "a", file},
		{"inherited file match beats an answered row of another uniqueid",
			[]recordings.CDR{row("h", "1.1", "h", "ANSWERED", 110, file), row("a", "1.1", "600", "NO ANSWER", 0, ""), row("b", "1.2", "101", "ANSWERED", 90, "")},
			"", file, "a", file},
		{"h row taken when it is its uniqueid's only row",
			[]recordings.CDR{row("h", "1.1", "h", "ANSWERED", 30, file), row("b", "1.2", "101", "ANSWERED", 90, "")},
			"1.1", file, "h", file},
		{"3 ANSWERED beats NO ANSWER and BUSY",
			[]recordings.CDR{row("a", "1.1", "600", "NO ANSWER", 0, file), row("b", "1.1", "600", "BUSY", 0, file), row("c", "1.1", "600", "ANSWERED", 5, file)},
			"1.1", file, "c", file},
		{"4 longest billsec",
			[]recordings.CDR{row("a", "1.1", "600", "ANSWERED", 10, file), row("b", "1.1", "600", "ANSWERED", 50, file), row("c", "1.1", "600", "ANSWERED", 20, file)},
			"1.1", file, "b", file},
		{"5 earliest calldate",
			[]recordings.CDR{at(row("a", "1.1", "600", "ANSWERED", 10, ""), 5*time.Second), row("b", "1.1", "600", "ANSWERED", 10, "")},
			"1.1", "", "b", ""},
		{"5 full tie keeps the first",
			[]recordings.CDR{row("a", "1.1", "600", "ANSWERED", 10, ""), row("b", "1.1", "600", "ANSWERED", 10, "")},
			"1.1", "", "a", ""},
		{"no name, no file: the longest answered leg",
			[]recordings.CDR{row("a", "1.1", "600", "NO ANSWER", 0, ""), row("b", "1.2", "101", "ANSWERED", 30, ""), row("c", "1.3", "102", "ANSWERED", 60, "")},
			"", "", "c", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cdr.PickLeg(tt.legs, recordings.Name{UniqueID: tt.uniqueid}, tt.file)
			if ok != (tt.want != "") || got.AccountCode != tt.want {
				t.Fatalf("PickLeg = %q, %v, want %q", got.AccountCode, ok, tt.want)
			}
			if got.RecordingFile != tt.wantFile {
				t.Errorf("recordingfile = %q, want %q", got.RecordingFile, tt.wantFile)
			}
		})
	}

	t.Run("merge fills did, cnum, cnam, linkedid from the call, same uniqueid first", func(t *testing.T) {
		chosen := row("a", "1.1", "600", "ANSWERED", 95, file)
		sibling := with(row("b", "1.1", "600", "NO ANSWER", 0, file), "4930123456", "", "")
		sibling.LinkedID = "1.0"
		other := with(row("c", "1.2", "101", "ANSWERED", 95, ""), "4930999999", "5557654321", "ACME")
		got, _ := cdr.PickLeg([]recordings.CDR{other, sibling, chosen}, recordings.Name{UniqueID: "1.1"}, file)
		want := chosen
		want.DID, want.CNum, want.CNam, want.LinkedID = "4930123456", "5557654321", "ACME", "1.0"
		if got != want {
			t.Errorf("PickLeg = %+v, want %+v", got, want)
		}
	})
	t.Run("merge takes caller ID only from the same caller's legs", func(t *testing.T) {
		inbound := with(row("a", "1.1", "120", "ANSWERED", 95, ""), "4930123456", "5557654321", "CUSTOMER")
		inbound.Src = "5557654321"
		transfer := row("b", "1.2", "113", "ANSWERED", 60, "internal-113-120-20240305-143135-1709645495.102.wav")
		transfer.Src = "120"
		got, _ := cdr.PickLeg([]recordings.CDR{inbound, transfer}, recordings.Name{UniqueID: "1.2"}, transfer.RecordingFile)
		if got.AccountCode != "b" || got.CNam != "" || got.CNum != "" || got.DID != "4930123456" {
			t.Errorf("the transferred leg got %+v; want the call's DID and no caller ID of the customer's", got)
		}
	})
	t.Run("merge keeps the chosen row's own values", func(t *testing.T) {
		chosen := with(row("a", "1.1", "600", "ANSWERED", 95, file), "111", "222", "me")
		other := with(row("b", "1.1", "600", "NO ANSWER", 0, file), "333", "444", "you")
		got, _ := cdr.PickLeg([]recordings.CDR{other, chosen}, recordings.Name{UniqueID: "1.1"}, file)
		if got != chosen {
			t.Errorf("PickLeg = %+v, want %+v", got, chosen)
		}
	})
}
