package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/stream"
)

// playerView is the player page's data.
type playerView struct {
	ID          int64
	Heading     string
	When        string
	Duration    string
	DurationSec float64
	Disposition string
	DispClass   string
	Format      string
	Playable    bool
	Notice      string // why there is no player; "" when there is one
	Original    bool   // the original file can be downloaded
	AudioURL    string
	WaveformURL string
	WAVURL      string
	OriginalURL string
	Details     []detail
	Legs        []row
	CDRLegs     []cdrRow
	CDRError    bool
	LegMarks    string // JSON: where each CDR leg starts in the recording, for the waveform
	PauseMarks  string // JSON: the pauses (PauseJSON), shaded on the waveform
	Pauses      []pauseRow
	Hold        *holdCard // the legal hold section; nil when the principal may not hold
	Seal        *sealCard // the evidence section; nil but for administrators
	CanShare    bool      // the share links section shows
	Shares      []shareLink
	ShareTTLs   []option
}

type detail struct{ Label, Value string }

// consentDetails say which policy recorded the call and whether the caller
// heard it was recorded; nothing when the dialplan did not say.
func consentDetails(k recordings.Consent, l *lang) []detail {
	if k.RecordedBy == "" && !k.Announced {
		return nil
	}
	by := l.T("consent.unknown")
	if k.RecordedBy != "" {
		by = l.T("consent." + k.RecordedBy)
	}
	ann := l.T("consent.announced.no")
	if k.Announced {
		ann = l.T("consent.announced.yes")
	}
	return []detail{{l.T("detail.recorded_by"), by}, {l.T("detail.announced"), ann}}
}

// conversionDetails say what the recording was compressed from, or why it was
// not; nothing while the conversion is under way.
func conversionDetails(cv recordings.Conversion, l *lang, loc *time.Location) []detail {
	switch cv.State {
	case recordings.ConversionFailed:
		return []detail{{l.T("detail.compressed"), l.F("compress.failed", cv.Detail)}}
	case recordings.ConversionSkipped:
		return []detail{{l.T("detail.compressed"), l.T("compress.skipped")}}
	case recordings.ConversionSwitched, recordings.ConversionKept, recordings.ConversionDone:
		v := l.F("compress.from", cv.FromFormat, l.Bytes(cv.FromSize), cv.ToFormat, l.Bytes(cv.ToSize), l.DateTime(cv.SwitchedAt.In(loc)))
		if cv.State == recordings.ConversionKept {
			v += " " + l.T("compress.kept")
		}
		return []detail{{l.T("detail.compressed"), v}}
	}
	return nil
}

// pauseRow is a pause as the player lists it.
type pauseRow struct{ From, To, By string }

type cdrRow struct {
	Time, Src, Dst, CNam, DID, Channel, DstChannel, App, Disposition, Duration, Billsec, UniqueID string
	Recorded                                                                                      bool
}

func (s *Server) playerPage(c echo.Context) error {
	ctx := c.Request().Context()
	l := langOf(c)
	rec, err := s.getRecording(c)
	if err != nil {
		return err
	}
	now := s.now().In(s.loc)
	id := strconv.FormatInt(rec.ID, 10)
	v := playerView{
		ID: rec.ID, When: l.DateTime(rec.CallTime.In(s.loc)), Duration: clock(rec.Duration),
		DurationSec: rec.Duration.Seconds(), Disposition: rec.CDR.Disposition, Format: string(rec.Format),
		DispClass: strings.ToLower(strings.ReplaceAll(rec.CDR.Disposition, " ", "-")),
		AudioURL:  s.path("/api/v1/recordings/" + id + "/audio"), WaveformURL: s.path("/api/v1/recordings/" + id + "/waveform"),
		WAVURL: s.path("/api/v1/recordings/" + id + "/audio?download=1"), OriginalURL: s.path("/api/v1/recordings/" + id + "/original"),
	}
	v.Heading = l.F("player.heading", l.T("type."+rec.Name.Type), orDash(rec.Caller()), orDash(rec.Callee()))
	v.Playable, v.Original, v.Notice = s.playability(c, rec, l)
	v.Details = details(rec, l, s.loc)
	k, err := s.opts.Catalog.ConsentOf(ctx, rec.ID)
	if err != nil {
		return err
	}
	v.Details = append(v.Details, consentDetails(k, l)...)
	if cv, err := s.opts.Catalog.ConversionOf(ctx, rec.ID); err == nil {
		v.Details = append(v.Details, conversionDetails(cv, l, s.loc)...)
	} else if !errors.Is(err, recordings.ErrNotFound) {
		return err
	}

	if rec.LinkedID != "" || rec.Name.UniqueID != "" {
		key := rec.LinkedID
		if key == "" {
			key = rec.Name.UniqueID
		}
		legs, err := s.callLegs(c, key)
		if err != nil {
			return err
		}
		if len(legs) > 1 { // the recording itself is always among them
			for _, r := range legs {
				v.Legs = append(v.Legs, newRow(r, l, now, s.loc, s.base))
			}
		}
		if s.opts.CDR != nil {
			rows, err := s.opts.CDR.Legs(ctx, rec.Name.UniqueID, rec.LinkedID, fileName(rec))
			if err != nil && !clientGone(c) {
				s.log.Warn("read CDR legs", "recording", rec.ID, "error", err)
				v.CDRError = true
			}
			for _, r := range rows {
				v.CDRLegs = append(v.CDRLegs, newCDRRow(r, rec, l, now, s.loc))
			}
			v.LegMarks = legMarks(rows, rec)
		}
	}
	pauses, err := s.pausesOf(c, rec)
	if err != nil {
		return err
	}
	if b, err := json.Marshal(pauses); err == nil {
		v.PauseMarks = string(b)
	}
	for _, p := range pauses {
		v.Pauses = append(v.Pauses, pauseRow{From: clock(time.Duration(p.From * float64(time.Second))),
			To: clock(time.Duration(p.To * float64(time.Second))), By: p.By})
	}
	if v.Hold, err = s.playerHold(c, rec); err != nil {
		return err
	}
	if v.Seal, err = s.playerSeal(c, rec); err != nil {
		return err
	}
	if p := principalOf(c); p.canShare() && p.Session != nil {
		v.CanShare = true
		if v.Shares, err = s.sharesFor(c, rec.ID); err != nil {
			return err
		}
		for i, t := range shareTTLs {
			v.ShareTTLs = append(v.ShareTTLs, option{Value: t.key, Label: l.T("share.ttl." + t.key), Selected: i == 1})
		}
	}
	return c.Render(http.StatusOK, "player", s.newPage(c, v.Heading, v))
}

// playability says whether the recording can play in the browser and, when it
// cannot, why, in words for the page: the player never shows for audio it
// cannot play.
func (s *Server) playability(c echo.Context, rec recordings.Recording, l *lang) (playable, original bool, notice string) {
	switch rec.State {
	case recordings.StateDeleted:
		return false, false, l.F("notice.deleted", rec.DeletedReason)
	case recordings.StateMissing:
		return false, false, l.T("notice.missing")
	case recordings.StateEmpty:
		return false, true, l.T("notice.empty")
	}
	rf, err := s.openRecording(c.Request().Context(), rec)
	if err != nil {
		var pe *publicError
		if errors.As(err, &pe) && pe.code == "file_missing" {
			return false, false, l.T("notice.file_missing")
		}
		if errors.Is(err, spool.ErrHardLink) {
			return false, false, l.T("notice.hard_link")
		}
		if clientGone(c) {
			return false, false, "" // nobody will see the page
		}
		s.log.Warn("open recording", "recording", rec.ID, "error", err)
		return false, false, l.T("notice.unreadable")
	}
	defer rf.Close()
	if _, err := stream.Open(rf.f, rf.size, rec.Format, nil); err != nil {
		if errors.Is(err, stream.ErrDamaged) {
			return false, true, l.F("notice.damaged", rec.Format)
		}
		if errors.Is(err, recordings.ErrUnsupportedFormat) {
			return false, true, l.F("notice.unsupported", rec.Format)
		}
		s.log.Warn("open recording for playback", "recording", rec.ID, "error", err)
		return false, true, l.T("notice.unreadable")
	}
	return true, true, ""
}

func details(r recordings.Recording, l *lang, loc *time.Location) []detail {
	d := []detail{
		{l.T("detail.time"), l.DateTime(r.CallTime.In(loc))},
		{l.T("detail.type"), l.T("type." + r.Name.Type)},
		{l.T("detail.from"), orDash(r.Caller())},
		{l.T("detail.to"), orDash(r.Callee())},
	}
	add := func(key, v string) {
		if v != "" {
			d = append(d, detail{l.T(key), v})
		}
	}
	add("detail.cnum", r.CDR.CNum)
	add("detail.cnam", r.CDR.CNam)
	add("detail.did", r.CDR.DID)
	add("detail.disposition", r.CDR.Disposition)
	if r.CDR.Billsec > 0 || r.CDRStatus == recordings.CDRLinked {
		add("detail.billsec", clock(time.Duration(r.CDR.Billsec)*time.Second))
	}
	d = append(d,
		detail{l.T("detail.duration"), clock(r.Duration)},
		detail{l.T("detail.format"), string(r.Format)},
		detail{l.T("detail.size"), l.Bytes(r.Size)},
		detail{l.T("detail.state"), l.T("state." + string(r.State))},
		detail{l.T("detail.file"), r.Path},
	)
	add("detail.uniqueid", r.Name.UniqueID)
	add("detail.linkedid", r.LinkedID)
	add("detail.channel", r.CDR.Channel)
	add("detail.dstchannel", r.CDR.DstChannel)
	d = append(d, detail{l.T("detail.cdr"), l.T("cdr." + string(r.CDRStatus))})
	if r.Held {
		d = append(d, detail{l.T("detail.held"), l.T("yes")})
	}
	return d
}

func newCDRRow(c recordings.CDR, rec recordings.Recording, l *lang, now time.Time, loc *time.Location) cdrRow {
	return cdrRow{
		Time: l.Short(c.CallDate.In(loc), now), Src: orDash(c.Src), Dst: orDash(c.Dst), CNam: c.CNam, DID: c.DID,
		Channel: c.Channel, DstChannel: c.DstChannel, App: c.LastApp, Disposition: c.Disposition,
		Duration: clock(time.Duration(c.Duration) * time.Second), Billsec: clock(time.Duration(c.Billsec) * time.Second),
		UniqueID: c.UniqueID, Recorded: c.RecordingFile != "" && c.RecordingFile == fileName(rec),
	}
}

// fileName is the recording's bare file name, as CDR(recordingfile) holds it.
func fileName(r recordings.Recording) string {
	for i := len(r.Path) - 1; i >= 0; i-- {
		if r.Path[i] == '/' {
			return r.Path[i+1:]
		}
	}
	return r.Path
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// legMark is where a CDR leg starts in a recording, for the waveform.
type legMark struct {
	At    float64 `json:"at"` // seconds from the recording's start
	Label string  `json:"label"`
}

// legMarks are the starts of the CDR legs that fall within the recording, one
// per second at most, as JSON. A leg that began before the recording (its
// calldate is the call's, the recording the answered leg's) marks the start.
func legMarks(rows []recordings.CDR, rec recordings.Recording) string {
	var marks []legMark
	seen := map[int64]bool{}
	for _, r := range rows {
		at := r.CallDate.Sub(rec.CallTime)
		if r.CallDate.IsZero() || at > rec.Duration || at < -time.Duration(r.Duration)*time.Second {
			continue
		}
		at = max(at, 0)
		if sec := int64(at / time.Second); !seen[sec] {
			seen[sec] = true
			marks = append(marks, legMark{At: at.Seconds(), Label: orDash(r.Src) + " → " + orDash(r.Dst)})
		}
	}
	b, err := json.Marshal(marks)
	if err != nil || marks == nil {
		return "[]"
	}
	return string(b)
}
