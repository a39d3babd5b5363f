package recordings_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// recordingJSONKeys are the keys of a recording in every JSON Totalrec writes (the
// API, search --json, webhooks). A field that is renamed, added or made omitempty
// fails this test; the API's, the command line's and the webhooks' tests compare
// their output's keys with NewRecordingJSON's, so a second shape fails there.
var recordingJSONKeys = []string{"billsec", "call_time", "cdr_status", "cnam", "cnum", "deleted_at",
	"deleted_reason", "dest", "did", "direction", "disposition", "dst", "duration", "format", "from",
	"held", "id", "linkedid", "path", "size", "src", "state", "type", "uniqueid"}

// jsonKeys returns the sorted keys of a JSON object.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestRecordingJSONKeepsEveryField(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	for name, r := range map[string]recordings.Recording{
		"empty": {},
		"full": {ID: 7, Path: "2026/11/26/in.wav", Format: recordings.FormatWAV, Size: 44, Duration: 1500 * time.Millisecond,
			State: recordings.StateDeleted, CallTime: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Held: true,
			CDR: recordings.CDR{Billsec: 81}, DeletedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), DeletedReason: "max_age"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(recordings.NewRecordingJSON(r, moscow))
			if err != nil {
				t.Fatal(err)
			}
			if got := jsonKeys(t, b); !slices.Equal(got, recordingJSONKeys) {
				t.Errorf("keys\n got %v\nwant %v", got, recordingJSONKeys)
			}
		})
	}
	j := recordings.NewRecordingJSON(recordings.Recording{CallTime: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC),
		DeletedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Duration: 1500 * time.Millisecond}, moscow)
	if j.CallTime != "2026-11-26T12:00:00+03:00" || j.DeletedAt != "2026-12-01T03:00:00+03:00" || j.Duration != 1.5 {
		t.Errorf("times and durations: %+v", j)
	}
}
