package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/config"
	"github.com/totalrec/totalrec/recordings/web"
)

// webAccess is the web server's sign-in configuration.
func webAccess(cfg config.Config) web.Access {
	return web.Access{SSOSecret: cfg.SSOSecret, PublicURL: cfg.PublicURL, FrameAncestors: cfg.FrameAncestorList(),
		SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax}
}

// loginLinkTTL is how long the one-time sign-in link `totalrec demo` prints stays valid.
const loginLinkTTL = 24 * time.Hour

// readyURL is the address serve announces; with loginAs, a one-time link that
// signs that user in.
func readyURL(srv *web.Server, addr, loginAs string) string {
	base := "http://" + addr
	if loginAs == "" {
		return base + "/"
	}
	link, err := srv.LoginLink(loginAs, loginLinkTTL)
	if err != nil {
		return base + "/"
	}
	return base + link
}

// demoAdmin is the administrator `totalrec demo` signs in.
const demoAdmin = "demo"

// ensureDemoAdmin makes (or keeps) the demo's administrator. It has no password
// until someone sets one: the demo signs it in with a one-time link.
func ensureDemoAdmin(ctx context.Context, a *app) error {
	_, err := a.cat.EnsureUser(ctx, recordings.User{Name: demoAdmin, Role: recordings.RoleAdmin, Scope: recordings.AllScope})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// pruneEvery is how often the daemon deletes expired sessions. A session is
// refused the moment it expires whatever this says; pruning only keeps the
// table small.
const pruneEvery = 15 * time.Minute

// pruneSessionsLoop deletes the sessions past session_idle or session_max.
func pruneSessionsLoop(ctx context.Context, a *app, interval time.Duration) error {
	every(ctx, interval, nil, func(ctx context.Context) {
		now := time.Now()
		if n, err := a.cat.PruneSessions(ctx, now.Add(-a.cfg.SessionIdle), now.Add(-a.cfg.SessionMax)); err != nil && ctx.Err() == nil {
			a.log.Warn("prune sessions", slog.Any("error", err))
		} else if n > 0 {
			a.log.Debug("sessions pruned", slog.Int64("sessions", n))
		}
	})
	return nil
}
