package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings/stream"
)

// waveformJSON is the waveform of a recording: the largest absolute sample of
// each PeakMS milliseconds of decoded audio (the last one partial), and the
// root mean square of the same samples, on a scale of 0 to Max.
type waveformJSON struct {
	ID         int64   `json:"id"`
	Duration   float64 `json:"duration"`
	SampleRate int     `json:"sample_rate"`
	PeakMS     int     `json:"peak_ms"`
	Max        int     `json:"max"`
	Peaks      []int16 `json:"peaks"`
	RMS        []int16 `json:"rms"`
}

// apiWaveform is GET /api/v1/recordings/{id}/waveform. The peaks come from the
// decoding pass that makes the checkpoints, and are cached with them.
func (s *Server) apiWaveform(c echo.Context) error {
	rec, err := s.getRecording(c)
	if err != nil {
		return err
	}
	rf, err := s.openRecording(c.Request().Context(), rec)
	if err != nil {
		return err
	}
	defer rf.Close()
	etag := fmt.Sprintf(`"%d-%d-%d-peaks"`, rec.ID, rf.size, rf.modTime.UnixNano())
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	cp, err := s.checkpoints(rf, true)
	if err != nil {
		return err
	}
	content, err := stream.Open(rf.f, rf.size, rec.Format, nil)
	if err != nil {
		return fmt.Errorf("open audio of recording %d: %w", rec.ID, err)
	}
	out := waveformJSON{ID: rec.ID, Duration: content.Duration.Seconds(), SampleRate: cp.SampleRate,
		PeakMS: 100, Max: 32767, Peaks: cp.Peaks, RMS: cp.RMS}
	if out.Peaks == nil {
		out.Peaks, out.RMS = []int16{}, []int16{}
	}
	return c.JSON(http.StatusOK, out)
}
