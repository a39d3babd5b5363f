package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings/auth"
)

// retentionJSON is GET /api/v1/retention: what the storage page says of retention,
// for FreePBX's module page.
type retentionJSON struct {
	Policy       string      `json:"policy"` // ok, no_rule, error
	PolicyError  string      `json:"policy_error,omitempty"`
	Tonight      tonightJSON `json:"tonight"`
	LastRun      *runJSON    `json:"last_run"`
	Live         countJSON   `json:"live"`
	Disk         diskJSON    `json:"disk"`
	ForecastDays *int64      `json:"forecast_days"` // days until the disk is full; null: no ingest or no disk figure
	Computed     string      `json:"computed"`
}

type tonightJSON struct {
	Files   int64  `json:"files"`
	Bytes   int64  `json:"bytes"`
	Refused string `json:"refused,omitempty"`
	Error   string `json:"error,omitempty"`
}

type runJSON struct {
	Started string `json:"started"`
	Status  string `json:"status"`
	Files   int64  `json:"files"`
	Bytes   int64  `json:"bytes"`
	Failed  int64  `json:"failed"`
}

type countJSON struct {
	Files int64 `json:"files"`
	Bytes int64 `json:"bytes"`
}

type diskJSON struct {
	Free  int64 `json:"free"`
	Total int64 `json:"total"`
}

// moduleAuthScheme is the Authorization scheme of FreePBX's module: a single-use
// sign-on token, as /sso takes, signed with sso_secret.
const moduleAuthScheme = "FreePBX-SSO "

// apiRetention is GET /api/v1/retention. Administrators reach it signed in or with
// an API token; FreePBX's module page, which has no session of its own, with
// "Authorization: FreePBX-SSO <token>" (auth.ParseSSO; its nonce is used up).
func (s *Server) apiRetention(cache *storageCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.retentionAccess(c); err != nil {
			return err
		}
		snap, err := cache.get(c.Request().Context(), s, false)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, s.retentionStatus(snap))
	}
}

func (s *Server) retentionAccess(c echo.Context) error {
	if p := principalOf(c); p != nil {
		if !p.isAdmin() {
			return errForbidden
		}
		return nil
	}
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if !strings.HasPrefix(h, moduleAuthScheme) || len(s.ssoSecret) == 0 {
		return errUnauthorized
	}
	now := s.now()
	cl, err := auth.ParseSSO(strings.TrimPrefix(h, moduleAuthScheme), s.ssoSecret, now)
	if err == nil && cl.Scope != "" {
		return errForbidden // an end user's (UCP) token
	}
	if err == nil {
		err = s.useNonce(c.Request().Context(), cl, now)
	}
	if err != nil {
		return &publicError{status: http.StatusForbidden, code: "sso_invalid", message: "the module's token is invalid, expired or already used", err: err}
	}
	return nil
}

func (s *Server) retentionStatus(snap *storageSnap) retentionJSON {
	now := snap.at.In(s.loc)
	out := retentionJSON{Policy: "ok", Live: countJSON(snap.live), Computed: now.Format(time.RFC3339)}
	switch {
	case snap.policyErr != nil:
		out.Policy, out.PolicyError = "error", snap.policyErr.Error()
	case snap.noPolicy || snap.policy.Empty():
		out.Policy = "no_rule"
	default:
		out.Tonight = tonightJSON{Files: snap.plan.Summary.Delete.Files, Bytes: snap.plan.Summary.Delete.Bytes, Refused: snap.refused}
		if snap.planErr != nil {
			out.Tonight.Error = snap.planErr.Error()
		}
	}
	if len(snap.runs) > 0 {
		r := snap.runs[0]
		out.LastRun = &runJSON{Started: r.Started.In(s.loc).Format(time.RFC3339), Status: r.Status,
			Files: r.DeletedFiles, Bytes: r.DeletedBytes, Failed: r.Failed}
	}
	if snap.diskErr == nil {
		out.Disk = diskJSON{Free: snap.disk.Free, Total: snap.disk.Total}
		if rate := snap.ingestRate(now); rate > 0 && snap.disk.Total > 0 {
			days := snap.disk.Free / rate
			out.ForecastDays = &days
		}
	}
	return out
}
