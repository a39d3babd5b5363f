package spool

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the PBX zone below must load on any test machine

	"github.com/totalrec/totalrec/recordings"
)

func pbxZone(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	return loc
}

func TestParseName(t *testing.T) {
	loc := pbxZone(t)
	const uid = "1788970278.1657"
	const stamp = "20260909-171118"
	const when = "2026-09-09 17:11:18"
	// The 2.5–2.9 epoch 1230811200 is 2009-01-01 12:00:00 UTC, 07:00 in New York.
	const legacyUID = "1230811200.5"
	tests := []struct {
		base string
		ok   bool
		want recordings.Name
		when string // call time in loc; "" for none
	}{
		// FreePBX 12–17: <type>-<dest>-<from>-YYYYMMDD-HHMMSS-<uniqueid>.<ext>
		{"out-5551234-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "out", Dest: "5551234", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"in-44XXXXXXXXXX-+44XXXXXXXXXX-20260909-171118-1788970278.1657.wav", true, recordings.Name{Type: "in", Dest: "44XXXXXXXXXX", From: "+44XXXXXXXXXX", UniqueID: uid, Ext: "wav"}, when},
		{"internal-200-100-20260101-000000-1767243600.12.wav", true, recordings.Name{Type: "internal", Dest: "200", From: "100", UniqueID: "1767243600.12", Ext: "wav"}, "2026-01-01 00:00:00"},
		{"external-200-5551234-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "external", Dest: "200", From: "5551234", UniqueID: uid, Ext: "wav"}, when},
		{"exten-200-100-" + stamp + "-" + uid + ".WAV", true, recordings.Name{Type: "exten", Dest: "200", From: "100", UniqueID: uid, Ext: "WAV"}, when},
		{"q-600-5551234-" + stamp + "-" + uid + ".gsm", true, recordings.Name{Type: "q", Dest: "600", From: "5551234", UniqueID: uid, Ext: "gsm"}, when},
		{"q-600-5551234-" + stamp + "-" + uid + ".GSM", true, recordings.Name{Type: "q", Dest: "600", From: "5551234", UniqueID: uid, Ext: "GSM"}, when},
		{"rg-700-100-" + stamp + "-" + uid + ".wav49", true, recordings.Name{Type: "rg", Dest: "700", From: "100", UniqueID: uid, Ext: "wav49"}, when},
		{"force-5551000-+15551234567-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "force", Dest: "5551000", From: "+15551234567", UniqueID: uid, Ext: "wav"}, when},
		{"generic--100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "generic", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"in-5551234--" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "5551234", UniqueID: uid, Ext: "wav"}, when},
		{"out---" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "out", UniqueID: uid, Ext: "wav"}, when},
		{"out-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "out", UniqueID: uid, Ext: "wav"}, when},
		{"parked-100-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "parked", Dest: "100", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"ondemand-200-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "ondemand", Dest: "200", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"ondemand-Unknown-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "ondemand", Dest: "Unknown", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"in-s-anonymous-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "s", From: "anonymous", UniqueID: uid, Ext: "wav"}, when},
		{"in-5551000-unknown-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "5551000", From: "unknown", UniqueID: uid, Ext: "wav"}, when},
		{"in-5551000-Restricted-" + stamp + "-" + uid + ".ulaw", true, recordings.Name{Type: "in", Dest: "5551000", From: "Restricted", UniqueID: uid, Ext: "ulaw"}, when},
		{"out-*97-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "out", Dest: "*97", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"out-#31#5551234-100-" + stamp + "-" + uid + ".ul", true, recordings.Name{Type: "out", Dest: "#31#5551234", From: "100", UniqueID: uid, Ext: "ul"}, when},
		{"in-5551000-555-123-4567-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "5551000", From: "555-123-4567", UniqueID: uid, Ext: "wav"}, when},
		{"in-5551000-(555) 123 4567-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "5551000", From: "(555) 123 4567", UniqueID: uid, Ext: "wav"}, when},
		{"in-100-anonymous.invalid-" + stamp + "-" + uid + ".alaw", true, recordings.Name{Type: "in", Dest: "100", From: "anonymous.invalid", UniqueID: uid, Ext: "alaw"}, when},
		{"in-\xff\xfe-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "\xff\xfe", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"in-1-20250101-120000-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "1", From: "20250101-120000", UniqueID: uid, Ext: "wav"}, when},
		{"out-2125551234-100-20260308-015959-" + uid + ".wav", true, recordings.Name{Type: "out", Dest: "2125551234", From: "100", UniqueID: uid, Ext: "wav"}, "2026-03-08 01:59:59"},
		{"out-2125551234-100-20260308-030000-" + uid + ".wav", true, recordings.Name{Type: "out", Dest: "2125551234", From: "100", UniqueID: uid, Ext: "wav"}, "2026-03-08 03:00:00"},

		// systemname-prefixed uniqueids
		{"in-5551000-100-" + stamp + "-pbx1-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "5551000", From: "100", UniqueID: "pbx1-" + uid, Ext: "wav"}, when},
		{"in-5551000-100-" + stamp + "-pbx-a.example.com-" + uid + ".wav", true, recordings.Name{Type: "in", Dest: "5551000", From: "100", UniqueID: "pbx-a.example.com-" + uid, Ext: "wav"}, when},

		// no extension: the last dot is the uniqueid's
		{"out-5551234-100-" + stamp + "-" + uid, true, recordings.Name{Type: "out", Dest: "5551234", From: "100", UniqueID: uid}, when},
		{"meetme-conf-rec-2000-" + legacyUID, true, recordings.Name{Type: "meetme", Dest: "2000", UniqueID: legacyUID}, "2009-01-01 07:00:00"},

		// every extension is kept as written
		{"out-1-100-" + stamp + "-" + uid + ".sln16", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "sln16"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".wav16", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "wav16"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".g729", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "g729"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".g722", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "g722"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".sln", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "sln"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".raw", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "raw"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".pcm", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "pcm"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".mp3", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "mp3"}, when},
		{"out-1-100-" + stamp + "-" + uid + ".ogg", true, recordings.Name{Type: "out", Dest: "1", From: "100", UniqueID: uid, Ext: "ogg"}, when},

		// 2.10/2.11 conference and paging words; 12–17 numeric forms with a policy
		{"conf-2000-2000-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "conf", Dest: "2000", From: "2000", UniqueID: uid, Ext: "wav"}, when},
		{"page-300-100-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "page", Dest: "300", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"2000-2000-always-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "conf", Dest: "2000", From: "2000", UniqueID: uid, Ext: "wav"}, when},
		{"2000-2000--" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "conf", Dest: "2000", From: "2000", UniqueID: uid, Ext: "wav"}, when},
		{"300-100-always-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "page", Dest: "300", From: "100", UniqueID: uid, Ext: "wav"}, when},
		{"300-+1555-123-never-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "page", Dest: "300", From: "+1555-123", UniqueID: uid, Ext: "wav"}, when},
		{"2000-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "page", Dest: "2000", UniqueID: uid, Ext: "wav"}, when},

		// FreePBX 2.5–2.9, flat spool
		{"20090101-070000-" + legacyUID + ".wav", true, recordings.Name{Type: "exten", UniqueID: legacyUID, Ext: "wav"}, "2009-01-01 07:00:00"},
		{"OUT100-20090101-070000-" + legacyUID + ".wav", true, recordings.Name{Type: "out", From: "100", UniqueID: legacyUID, Ext: "wav"}, "2009-01-01 07:00:00"},
		{"OUT-20090101-070000-" + legacyUID + ".WAV", true, recordings.Name{Type: "out", UniqueID: legacyUID, Ext: "WAV"}, "2009-01-01 07:00:00"},
		{"g201-202-203-20090101-070000-" + legacyUID + ".wav", true, recordings.Name{Type: "rg", Dest: "201-202-203", UniqueID: legacyUID, Ext: "wav"}, "2009-01-01 07:00:00"},
		{"g5551234#-201-20090101-070000-" + legacyUID + ".gsm", true, recordings.Name{Type: "rg", Dest: "5551234#-201", UniqueID: legacyUID, Ext: "gsm"}, "2009-01-01 07:00:00"},
		{"q600-20090101-070000-" + legacyUID + ".wav", true, recordings.Name{Type: "q", Dest: "600", UniqueID: legacyUID, Ext: "wav"}, "2009-01-01 07:00:00"},
		{"meetme-conf-rec-2000-" + legacyUID + ".wav", true, recordings.Name{Type: "meetme", Dest: "2000", UniqueID: legacyUID, Ext: "wav"}, "2009-01-01 07:00:00"},
		{"meetme-conf-rec-2000-pbx1-" + legacyUID + ".WAV", true, recordings.Name{Type: "meetme", Dest: "2000", UniqueID: "pbx1-" + legacyUID, Ext: "WAV"}, "2009-01-01 07:00:00"},
		{"auto-1230811200-100-200.wav", true, recordings.Name{Type: "auto", From: "100", Dest: "200", Ext: "wav"}, "2009-01-01 07:00:00"},
		{"auto-1230811200-SIP-100-0000001a-SIP-200-0000001b.wav", true, recordings.Name{Type: "auto", Ext: "wav"}, "2009-01-01 07:00:00"},
		{"auto-1230811200-" + legacyUID + ".wav", true, recordings.Name{Type: "auto", UniqueID: legacyUID, Ext: "wav"}, "2009-01-01 07:00:00"},
		{"auto-1230811200-custom.gsm", true, recordings.Name{Type: "auto", Ext: "gsm"}, "2009-01-01 07:00:00"},

		// a stamp and a uniqueid after a prefix of no known form: time and uniqueid hold
		{"custom-100-200-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "other", UniqueID: uid, Ext: "wav"}, when},
		{"Some Thing-" + stamp + "-" + uid + ".wav", true, recordings.Name{Type: "other", UniqueID: uid, Ext: "wav"}, when},

		// unrecognised: Type "other", the extension, and false
		{"foo.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"", false, recordings.Name{Type: "other"}, ""},
		{".wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"README", false, recordings.Name{Type: "other"}, ""},
		{"recording.wav.tmp", false, recordings.Name{Type: "other", Ext: "tmp"}, ""},
		{"out-1-2-20261301-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260230-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260229-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20240229-120000-1.2.wav", true, recordings.Name{Type: "out", Dest: "1", From: "2", UniqueID: "1.2", Ext: "wav"}, "2024-02-29 12:00:00"},
		{"out-1-2-20260100-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101-250000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101-126000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-19690101-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101-120000-1788970278.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101-120000-.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101-120000-1.2.3.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101-120000--1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-2026011-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-2-20260101x120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-1-220260101-120000-1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"out-100-200-" + stamp + "-" + uid + ".wav.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"meetme-conf-rec-2000.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"meetme-conf-rec--1.2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"auto-abc-100-200.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
		{"auto-1234567890123-1-2.wav", false, recordings.Name{Type: "other", Ext: "wav"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			got, ok := ParseName(tt.base, loc)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v (got %+v)", ok, tt.ok, got)
			}
			want := tt.want
			if tt.when != "" {
				w, err := time.ParseInLocation(time.DateTime, tt.when, loc)
				if err != nil {
					t.Fatal(err)
				}
				want.Time = w
			}
			if !got.Time.Equal(want.Time) {
				t.Errorf("Time = %v, want %v", got.Time, want.Time)
			}
			got.Time, want.Time = time.Time{}, time.Time{}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
	if len(tests) < 60 {
		t.Errorf("only %d name shapes tested", len(tests))
	}
}

func TestParseNameNilLocation(t *testing.T) {
	n, ok := ParseName("out-1-2-20260101-120000-1.2.wav", nil)
	if !ok || !n.Time.Equal(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("got %+v, %v; want 12:00 UTC", n, ok)
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		ext  string
		want recordings.Format
	}{
		{"wav", recordings.FormatWAV}, {"WAV", recordings.FormatWAV49}, {"Wav", recordings.FormatWAV},
		{"wav49", recordings.FormatWAV49}, {"WAV49", recordings.FormatWAV49},
		{"wav16", recordings.FormatWAV16}, {"WAV16", recordings.FormatWAV16},
		{"gsm", recordings.FormatGSM}, {"GSM", recordings.FormatGSM},
		{"ulaw", recordings.FormatULaw}, {"ul", recordings.FormatULaw}, {"mu", recordings.FormatULaw},
		{"pcm", recordings.FormatULaw}, {"ulw", recordings.FormatULaw}, {"ULAW", recordings.FormatULaw},
		{"alaw", recordings.FormatALaw}, {"al", recordings.FormatALaw}, {"alw", recordings.FormatALaw},
		{"sln", recordings.FormatSLN}, {"slin", recordings.FormatSLN}, {"raw", recordings.FormatSLN},
		{"sln16", recordings.FormatSLN16},
		{"g722", recordings.FormatG722}, {"G722", recordings.FormatG722}, {"g729", recordings.FormatG729},
		{"ogg", recordings.FormatUnknown}, {"mp3", recordings.FormatMP3}, {"opus", recordings.FormatOpus}, {"au", recordings.FormatUnknown},
		{"", recordings.FormatUnknown}, {"tmp", recordings.FormatUnknown}, {"1657", recordings.FormatUnknown},
	}
	for _, tt := range tests {
		if got := FormatOf(tt.ext); got != tt.want {
			t.Errorf("FormatOf(%q) = %q, want %q", tt.ext, got, tt.want)
		}
	}
}

// formatName writes a Name back in the FreePBX 2.10–17 shape.
func formatName(n recordings.Name, loc *time.Location) string {
	s := n.Type + "-" + n.Dest + "-" + n.From + "-" + n.Time.In(loc).Format("20060102-150405") + "-" + n.UniqueID
	if n.Ext != "" {
		s += "." + n.Ext
	}
	return s
}

func FuzzParseName(f *testing.F) {
	loc := time.FixedZone("PBX", -5*3600)
	f.Fuzz(func(t *testing.T, base string) {
		n, ok := ParseName(base, loc)
		suffix := ""
		if i := strings.LastIndexByte(base, '.'); i >= 0 {
			suffix = base[i+1:]
		}
		if !ok {
			if want := (recordings.Name{Type: "other", Ext: suffix}); n != want {
				t.Fatalf("unrecognised %q gave %+v", base, n)
			}
			return
		}
		if n.Type == "" || n.Type == "other" && n.UniqueID == "" {
			t.Fatalf("%q: recognised without a type: %+v", base, n)
		}
		if n.Time.IsZero() {
			t.Fatalf("%q: recognised without a time: %+v", base, n)
		}
		if n.Ext != suffix && (n.Ext != "" || !allDigits(suffix) || !strings.HasSuffix(n.UniqueID, "."+suffix)) {
			t.Fatalf("%q: Ext %q, want %q", base, n.Ext, suffix)
		}
		if !typeWords[n.Type] || strings.Contains(n.Dest, "-") {
			return
		}
		again := formatName(n, loc)
		m, ok := ParseName(again, loc)
		if !ok || !m.Time.Equal(n.Time) {
			t.Fatalf("%q → %+v → %q → %+v, %v", base, n, again, m, ok)
		}
		m.Time, n.Time = time.Time{}, time.Time{}
		if m != n {
			t.Fatalf("%q → %+v → %q → %+v", base, n, again, m)
		}
	})
}
