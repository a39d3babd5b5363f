package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names of a delivery.
const (
	HeaderSignature = "X-Totalrec-Signature"
	HeaderEvent     = "X-Totalrec-Event"
	HeaderDelivery  = "X-Totalrec-Delivery"
)

// DefaultTolerance is how far a signature's timestamp may be from the receiver's
// clock before Verify refuses it as a possible replay.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("webhook signature: missing or malformed")
	ErrBadSignature = errors.New("webhook signature: does not match")
	ErrStale        = errors.New("webhook signature: timestamp outside the tolerance")
)

// Sign returns the X-Totalrec-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". The timestamp is
// inside the MAC, so a receiver that refuses old timestamps refuses replays.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks an X-Totalrec-Signature header against the raw request body: one of
// its v1 values must be the HMAC of "<t>.<body>" under secret, and t must be within
// tolerance of now (zero tolerance: DefaultTolerance). Receivers pass the body bytes
// exactly as read, before any JSON decoding.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var (
		ts   string
		sigs []string
	)
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return ErrNoSignature
		case k == "t":
			ts = v
		case k == "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %s", ErrStale, d.Round(time.Second))
	}
	want := []byte(mac(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrBadSignature
}
