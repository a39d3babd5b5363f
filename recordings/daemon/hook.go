package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/hook"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/pause"
)

// HookServer takes `totalrec hook` calls (hook.Post) on a unix socket in the data
// directory. The socket's permissions are its access control: 0660, owned by the
// daemon's user and group (asterisk on a FreePBX box), so only the PBX can
// announce recordings.
type HookServer struct {
	Scanner *ingest.Scanner
	Log     *slog.Logger
	// Ingested, when set, is told of each recording the hook catalogued (the web
	// server prepares its playback checkpoints).
	Ingested func(recordings.Recording)
	// Pauser pauses and resumes recordings for `totalrec pause` (the dialplan's
	// feature code); nil when no manager interface is configured.
	Pauser *pause.Pauser
	// Consent stores what the dialplan says of a recording's policy and
	// announcement; nil stores nothing.
	Consent interface {
		SetConsent(ctx context.Context, id int64, k recordings.Consent) error
	}
}

func (h *HookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/pause" {
		h.servePause(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/hook" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var req hook.Request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.Path == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	rec, err := h.Scanner.IngestFile(r.Context(), req.Path)
	switch {
	case errors.Is(err, recordings.ErrNotFound):
		// MixMonitor's b option leaves no file for a call that was never bridged.
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, recordings.ErrOutsideRoot) || errors.Is(err, recordings.ErrInvalid):
		h.Log.Warn("hook refused", "path", req.Path, "error", err)
		http.Error(w, "refused", http.StatusForbidden)
	case err != nil:
		h.Log.Error("hook ingest failed", "path", req.Path, "error", err)
		http.Error(w, "ingest failed", http.StatusServiceUnavailable)
	default:
		h.Log.Debug("hook ingested", "path", rec.Path, "id", rec.ID)
		h.setConsent(r.Context(), rec, req)
		if h.Ingested != nil {
			h.Ingested(rec)
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// setConsent stores the recording's policy and announcement: the dialplan's
// word, or on demand for a recording the name says was made on demand.
func (h *HookServer) setConsent(ctx context.Context, rec recordings.Recording, req hook.Request) {
	k := recordings.Consent{RecordedBy: req.RecordedBy, Announced: req.Announced}
	if rec.Name.Type == "ondemand" {
		k.RecordedBy = recordings.RecordedOnDemand
	}
	if h.Consent == nil || (k.RecordedBy == "" && !k.Announced) {
		return
	}
	if !recordings.ValidRecordedBy(k.RecordedBy) {
		h.Log.Warn("hook: unknown recording policy", "recorded_by", k.RecordedBy, "path", rec.Path)
		k.RecordedBy = ""
	}
	if err := h.Consent.SetConsent(ctx, rec.ID, k); err != nil {
		h.Log.Error("hook: store the recording's policy", "id", rec.ID, "error", err)
	}
}

// servePause is POST /pause: {"channel": …, "state": "on"|"off"|"toggle", "by": …}.
func (h *HookServer) servePause(w http.ResponseWriter, r *http.Request) {
	var req PauseRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.Channel == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if h.Pauser == nil {
		http.Error(w, "no manager interface is configured (ami_user)", http.StatusServiceUnavailable)
		return
	}
	by := req.By
	if by == "" {
		by = "dialplan:" + req.Channel
	}
	var (
		st  pause.State
		err error
	)
	switch req.State {
	case "on", "off":
		st, err = h.Pauser.Set(r.Context(), req.Channel, req.State == "on", by, "local")
	case "toggle", "":
		st, err = h.Pauser.Toggle(r.Context(), req.Channel, by, "local")
	default:
		http.Error(w, "state is on, off or toggle", http.StatusBadRequest)
		return
	}
	switch {
	case errors.Is(err, pause.ErrNoRecording):
		http.Error(w, err.Error(), http.StatusNotFound)
	case err != nil:
		h.Log.Error("pause", "channel", req.Channel, "error", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st)
	}
}

// ServeHook serves h on the unix socket sock until ctx ends.
func ServeHook(ctx context.Context, sock string, h *HookServer) error {
	ln, mine, err := listenUnix(sock, 0o660)
	if err != nil {
		return fmt.Errorf("hook socket: %w", err)
	}
	// The socket is removed on the way out only while it is still the one made
	// here: a path some other process bound since is never taken away from it.
	defer func() {
		if now, err := os.Stat(sock); err == nil && os.SameFile(mine, now) {
			os.Remove(sock)
		}
	}()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("hook socket: %w", err)
	}
	return nil
}

// drainJournal catalogues what hooks journalled while the daemon was away. An entry
// that names no file of the spool is set aside (rejected.jsonl in the journal
// directory) and logged; a recording deleted since is done.
func drainJournal(ctx context.Context, dataDir, spoolDir string, s *ingest.Scanner, log *slog.Logger) (hook.DrainReport, error) {
	j := hook.Journal{Dir: hook.JournalDir(dataDir)}
	rep, err := j.Drain(ctx, func(ctx context.Context, e hook.Entry) error {
		rel := e.Path
		if rel == "" {
			var err error
			if rel, err = hook.SpoolRelative(spoolDir, e.File); err != nil {
				return fmt.Errorf("%w: %w", hook.ErrUnusable, err)
			}
		}
		_, err := s.IngestFile(ctx, rel)
		switch {
		case errors.Is(err, recordings.ErrNotFound):
			return nil // deleted since: nothing to catalogue
		case errors.Is(err, recordings.ErrOutsideRoot) || errors.Is(err, recordings.ErrInvalid):
			return fmt.Errorf("%w: %w", hook.ErrUnusable, err)
		}
		return err
	})
	for _, r := range rep.SetAside {
		log.Warn("journal entry set aside", "path", r.Path, "file", r.File, "error", r.Error,
			"kept_in", filepath.Join(j.Dir, "rejected.jsonl"))
	}
	return rep, err
}

// listenUnix binds a unix socket at path with mode perm. It binds under a name of
// its own in the same directory, sets the mode and notes the file, and only then
// renames it onto path: nobody can connect before the mode is set, and what it
// returns is the file it made even when another process replaces path at once.
func listenUnix(path string, perm os.FileMode) (*net.UnixListener, os.FileInfo, error) {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.%d", filepath.Base(path), os.Getpid()))
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, nil, err
	}
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (*net.UnixListener, os.FileInfo, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, nil, err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return fail(err)
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	return ln, fi, nil
}
