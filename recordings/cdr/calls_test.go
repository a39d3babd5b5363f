package cdr_test

import (
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// cdrRow is one CDR row in a compact, readable form; at is the PBX's local time.
type cdrRow struct {
	at                string // "2006-01-02 15:04:05"
	uid, linked       string
	src, dst          string
	channel, dstchan  string
	app, disp         string
	duration, billsec int
	did, cnum, file   string
}

func toCDRs(rows []cdrRow, loc *time.Location) []recordings.CDR {
	out := make([]recordings.CDR, len(rows))
	for i, r := range rows {
		at, err := time.ParseInLocation("2006-01-02 15:04:05", r.at, loc)
		if err != nil {
			panic(err)
		}
		out[i] = recordings.CDR{
			CallDate: at, UniqueID: r.uid, LinkedID: r.linked, Src: r.src, Dst: r.dst,
			Channel: r.channel, DstChannel: r.dstchan, LastApp: r.app, Disposition: r.disp,
			Duration: r.duration, Billsec: r.billsec, DID: r.did, CNum: r.cnum, RecordingFile: r.file,
		}
	}
	return out
}

// The calls below are shaped as Asterisk 13+ under FreePBX 16 writes them.

// ringGroupFile is the recording of an inbound call to ring group 600 (101, 102, 103).
const ringGroupFile = "rg-600-5557654321-20240305-143000-1709645400.100.wav"

// ringGroupCall: the trunk channel gets one row per ringing leg (102 and 103 NO
// ANSWER, 101 ANSWERED) plus the hangup handler's 'h' row, whose billsec counts the
// whole call; each Local channel half has its own uniqueid under the call's linkedid.
var ringGroupCall = []cdrRow{
	{"2024-03-05 14:30:00", "1709645400.100", "1709645400.100", "5557654321", "600", "PJSIP/trunk-00000010", "Local/102@from-queue-0000002b;1", "Dial", "NO ANSWER", 15, 0, "4930123456", "5557654321", ringGroupFile},
	{"2024-03-05 14:30:00", "1709645400.100", "1709645400.100", "5557654321", "600", "PJSIP/trunk-00000010", "Local/103@from-queue-0000002c;1", "Dial", "NO ANSWER", 15, 0, "4930123456", "5557654321", ringGroupFile},
	{"2024-03-05 14:30:00", "1709645400.100", "1709645400.100", "5557654321", "600", "PJSIP/trunk-00000010", "Local/101@from-queue-0000002a;1", "Dial", "ANSWERED", 110, 95, "4930123456", "5557654321", ringGroupFile},
	{"2024-03-05 14:31:50", "1709645400.100", "1709645400.100", "5557654321", "h", "PJSIP/trunk-00000010", "", "Hangup", "ANSWERED", 110, 110, "", "5557654321", ringGroupFile},
	{"2024-03-05 14:30:01", "1709645400.101", "1709645400.100", "5557654321", "101", "Local/101@from-queue-0000002a;2", "PJSIP/101-00000011", "Dial", "ANSWERED", 109, 95, "", "5557654321", ""},
	{"2024-03-05 14:30:01", "1709645400.102", "1709645400.100", "5557654321", "102", "Local/102@from-queue-0000002b;2", "PJSIP/102-00000012", "Dial", "NO ANSWER", 14, 0, "", "5557654321", ""},
	{"2024-03-05 14:30:01", "1709645400.103", "1709645400.100", "5557654321", "103", "Local/103@from-queue-0000002c;2", "PJSIP/103-00000013", "Dial", "NO ANSWER", 14, 0, "", "5557654321", ""},
}

// transferFile is the recording of an outbound call from 101 that 101 then transferred
// to 102.
const transferFile = "out-5551112222-101-20240305-155000-1709650000.200.wav"

// transferCall: two uniqueids, one linkedid. 101's channel talks to the trunk until the
// transfer; then the trunk channel's row continues with 102.
var transferCall = []cdrRow{
	{"2024-03-05 15:50:00", "1709650000.200", "1709650000.200", "101", "5551112222", "PJSIP/101-00000020", "PJSIP/trunk-00000021", "Dial", "ANSWERED", 45, 40, "", "101", transferFile},
	{"2024-03-05 15:50:45", "1709650000.201", "1709650000.200", "5551112222", "102", "PJSIP/trunk-00000021", "PJSIP/102-00000023", "AppDial", "ANSWERED", 120, 120, "", "5551112222", ""},
}

// queueFile is the recording of an inbound call to queue 700 (agents 201, 202).
const queueFile = "q-700-5553334444-20240305-161000-1709660000.300.wav"

// queueCall: the caller's channel has a row per agent tried; agent 202 answered.
var queueCall = []cdrRow{
	{"2024-03-05 16:10:00", "1709660000.300", "1709660000.300", "5553334444", "700", "PJSIP/trunk-00000030", "Local/201@from-queue-0000003a;1", "Queue", "NO ANSWER", 20, 0, "4930999000", "5553334444", queueFile},
	{"2024-03-05 16:10:00", "1709660000.300", "1709660000.300", "5553334444", "700", "PJSIP/trunk-00000030", "Local/202@from-queue-0000003b;1", "Queue", "ANSWERED", 230, 200, "4930999000", "5553334444", queueFile},
	{"2024-03-05 16:10:02", "1709660000.301", "1709660000.300", "5553334444", "201", "Local/201@from-queue-0000003a;2", "PJSIP/201-00000031", "Dial", "NO ANSWER", 18, 0, "", "5553334444", ""},
	{"2024-03-05 16:10:22", "1709660000.302", "1709660000.300", "5553334444", "202", "Local/202@from-queue-0000003b;2", "PJSIP/202-00000032", "Dial", "ANSWERED", 208, 200, "", "5553334444", ""},
}

// otherCall is an unrelated call in the same table.
var otherCall = []cdrRow{
	{"2024-03-05 14:30:00", "1709645999.900", "1709645999.900", "102", "103", "PJSIP/102-00000090", "PJSIP/103-00000091", "Dial", "ANSWERED", 30, 25, "", "102", "internal-103-102-20240305-143000-1709645999.900.wav"},
}
