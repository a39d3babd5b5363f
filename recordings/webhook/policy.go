package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/totalrec/totalrec/recordings"
)

// Retry schedule of the outbox.
const (
	DefaultMaxAttempts = 12               // attempts before a row is dead: 1.7 to 3.4 h of trying
	backoffBase        = 10 * time.Second // wait after the first failed attempt
	backoffMax         = time.Hour        // the wait doubles up to this
	retryAfterMax      = 6 * time.Hour    // a longer Retry-After is cut to this
	requestTimeout     = 15 * time.Second // one HTTP request, answer included
)

// Backoff is the wait after failed attempt n (1-based): 10 s doubling up to 1 h,
// with equal jitter (between half and all of it), so that endpoints coming back
// after an outage are not hit by every pending row at the same second.
func Backoff(n int) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	return d/2 + rand.N(d/2+1)
}

// attempt is what one delivery attempt produced.
type attempt struct {
	status     int           // HTTP status; 0 when err is set
	err        error         // network error, timeout, refused connection
	retryAfter time.Duration // the answer's Retry-After, when it had one
	detail     string        // the start of the answer's body, for last_error
}

// decide turns an attempt into the row's next state. It is pure: n is the number
// of attempts made so far (this one included), max the limit, backoff the wait.
//   - 2xx: delivered.
//   - 4xx other than 408 and 429: dead at once; the endpoint refuses this event and
//     sending it again will not change that.
//   - anything else (network errors, 408, 429, 5xx, 3xx left over): pending again,
//     after backoff(n) or, on 429 and 503, after Retry-After when given; dead once
//     n reaches max.
func decide(a attempt, n, max int, now time.Time, backoff func(int) time.Duration) recordings.DeliveryResult {
	msg := ""
	switch {
	case a.err != nil:
		msg = a.err.Error()
	case a.status >= 200 && a.status < 300:
		return recordings.DeliveryResult{State: recordings.OutboxDelivered, At: now}
	default:
		msg = fmt.Sprintf("HTTP %d %s", a.status, http.StatusText(a.status))
		if a.detail != "" {
			msg += ": " + a.detail
		}
	}
	if a.err == nil && a.status >= 400 && a.status < 500 && a.status != http.StatusRequestTimeout && a.status != http.StatusTooManyRequests {
		return recordings.DeliveryResult{State: recordings.OutboxDead, LastError: msg + " (not retried)", At: now}
	}
	if n >= max {
		return recordings.DeliveryResult{State: recordings.OutboxDead, LastError: fmt.Sprintf("%s (gave up after %d attempts)", msg, n), At: now}
	}
	wait := backoff(n)
	if a.retryAfter > 0 && (a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable) {
		wait = min(a.retryAfter, retryAfterMax)
	}
	return recordings.DeliveryResult{State: recordings.OutboxPending, NextAt: now.Add(wait), LastError: msg, At: now}
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// NewClient returns the HTTP client deliveries use: go-retryablehttp with log as
// its logger, a 15 s timeout per request and at most one quick retry of its own
// (network errors and 5xx without Retry-After, 0.5–2 s later). Everything slower
// is the outbox's job, which survives restarts; a retry inside the client does not.
func NewClient(log *slog.Logger) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.HTTPClient.Timeout = requestTimeout
	c.Logger = log
	c.RetryMax = 1
	c.RetryWaitMin = 500 * time.Millisecond
	c.RetryWaitMax = 2 * time.Second
	c.CheckRetry = checkRetry
	c.Backoff = retryablehttp.LinearJitterBackoff
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return c
}

// checkRetry retries in the client only what is likely to pass within seconds: a
// network error (not a bad URL or certificate) or a 5xx that names no Retry-After.
// 4xx, 429 and Retry-After answers go back to the outbox at once.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	return resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && resp.Header.Get("Retry-After") == "", nil
}
