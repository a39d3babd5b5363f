package s3

import (
	"net/http"
	"testing"
)

func TestMetaValue(t *testing.T) {
	for _, tc := range []struct{ in, wire string }{
		{"pbx1", "pbx1"},
		{"2026-03-01T10:15:00Z", "2026-03-01T10:15:00Z"},
		{`"Zoë" <201>`, `"Zo%C3%AB" <201>`},
		{"100%", "100%25"},
		{" padded ", "%20padded%20"},
		{"inner space", "inner space"},
		{"tab\there\r\n", "tab%09here%0D%0A"},
		{"", ""},
	} {
		wire := encodeMetaValue(tc.in)
		if wire != tc.wire {
			t.Errorf("encodeMetaValue(%q) = %q, want %q", tc.in, wire, tc.wire)
		}
		if back := decodeMetaValue(wire); back != tc.in {
			t.Errorf("decodeMetaValue(%q) = %q, want %q", wire, back, tc.in)
		}
	}
	// Another client's value with a stray '%' comes back as it is.
	for _, v := range []string{"50%", "%zz", "a%4"} {
		if got := decodeMetaValue(v); got != v {
			t.Errorf("decodeMetaValue(%q) = %q, want it unchanged", v, got)
		}
	}
}

func TestDecodeMeta(t *testing.T) {
	h := http.Header{
		"X-Amz-Meta-Call-Time": {"2026-03-01T10:15:00Z"},
		"X-Amz-Meta-Src":       {"Zo%C3%AB"},
		"Content-Type":         {"audio/ogg"},
		"Etag":                 {`"abc"`},
	}
	got := decodeMeta(h)
	want := map[string]string{"call-time": "2026-03-01T10:15:00Z", "src": "Zoë"}
	if len(got) != len(want) || got["call-time"] != want["call-time"] || got["src"] != want["src"] {
		t.Errorf("decodeMeta = %q, want %q", got, want)
	}
}

func TestContentType(t *testing.T) {
	for key, want := range map[string]string{
		"a/b.opus": "audio/ogg", "b.OGG": "audio/ogg", "c.mp3": "audio/mpeg",
		"d.wav": "audio/wav", "e.gsm": "application/octet-stream", "f": "application/octet-stream",
	} {
		if got := contentType(key); got != want {
			t.Errorf("contentType(%q) = %q, want %q", key, got, want)
		}
	}
}

// Any value travels as a valid header value that HTTP does not trim, and comes
// back as it was.
func FuzzMetaValue(f *testing.F) {
	for _, s := range []string{"pbx1", " a ", "100%", "Zoë\x00\xff", "%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		wire := encodeMetaValue(v)
		if !printable(wire) {
			t.Fatalf("encodeMetaValue(%q) = %q: not a valid header value", v, wire)
		}
		if len(wire) > 0 && (wire[0] == ' ' || wire[len(wire)-1] == ' ') {
			t.Fatalf("encodeMetaValue(%q) = %q: HTTP would trim it", v, wire)
		}
		if back := decodeMetaValue(wire); back != v {
			t.Fatalf("decodeMetaValue(encodeMetaValue(%q)) = %q", v, back)
		}
	})
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
