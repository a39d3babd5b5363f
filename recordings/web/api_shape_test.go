package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// What every API client relies on: the one JSON shape of a recording, and errors
// that name the parameter at fault.

// recordingKeys are the keys of recordings.RecordingJSON, the one shape of a
// recording in JSON.
func recordingKeys(t *testing.T) []string {
	t.Helper()
	b, err := json.Marshal(recordings.NewRecordingJSON(recordings.Recording{}, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}

// TestAPI_SearchErrorsNameTheField: what only the catalogue checks (a number's
// digits, a cursor) reaches the client as the field and the problem, not as the
// catalogue's own wording of it.
func TestAPI_SearchErrorsNameTheField(t *testing.T) {
	f := sharedFixture(t)
	for q, prefix := range map[string]string{
		"number=12":                    "number: ",
		"ext=" + url.QueryEscape("+-"): "ext: ",
		"after=garbage!!":              "cursor: ",
	} {
		res, body := f.get(t, "/api/v1/recordings?"+q)
		if e := wantError(t, res, body, http.StatusBadRequest, "invalid"); !strings.HasPrefix(e.Message, prefix) {
			t.Errorf("%s: message %q, want it to start %q", q, e.Message, prefix)
		}
	}
}
