package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/nodes"
)

// NodeFiles opens the recordings other nodes keep on their disks
// (*nodes.Client satisfies it).
type NodeFiles interface {
	Open(ctx context.Context, node string, id int64) (*nodes.File, error)
}

// nodeFile is GET and HEAD /node/recordings/{id}/file: another node of the
// catalogue reads a recording this node keeps on its disk, as the file is, with
// Range. The request carries a token signed with the nodes' shared secret for
// this recording (package nodes); the recording must be this node's and on its
// disk. Nothing of the path comes from the request. The reading server audits
// its user's play; this read is not audited again.
func (s *Server) nodeFile(c echo.Context) error {
	if len(s.opts.NodeSecret) == 0 {
		return echo.ErrNotFound
	}
	id, err := recordingParam(c)
	if err != nil {
		return err
	}
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), nodes.Scheme)
	if !ok {
		return errUnauthorized
	}
	if err := nodes.Check(s.opts.NodeSecret, token, id, s.now()); err != nil {
		return &publicError{status: http.StatusUnauthorized, code: "node_token", message: "the node token is invalid or expired", err: err}
	}
	rec, err := s.opts.Catalog.GetScoped(c.Request().Context(), id, recordings.AllScope)
	if err == nil && (rec.Node != s.opts.Node || rec.Storage != recordings.StorageLocal) {
		err = recordings.ErrNotFound
	}
	if errors.Is(err, recordings.ErrNotFound) {
		return &publicError{status: http.StatusNotFound, code: "not_found", message: fmt.Sprintf("recording %d is not on this node's disk", id), err: err}
	}
	if err != nil {
		return err
	}
	rf, err := s.openRecording(c.Request().Context(), rec)
	if err != nil {
		return err
	}
	defer rf.Close()
	c.Response().Header().Set("Cache-Control", "no-store")
	http.ServeContent(c.Response(), c.Request(), "", rf.modTime, ioSection(rf))
	return nil
}

// openRemote opens a recording another node keeps on its disk.
func (s *Server) openRemote(ctx context.Context, rec recordings.Recording) (*recordingFile, error) {
	f, err := s.opts.Nodes.Open(ctx, rec.Node, rec.ID)
	if errors.Is(err, recordings.ErrNotFound) {
		return nil, &publicError{status: http.StatusNotFound, code: "file_missing",
			message: fmt.Sprintf("recording %d's file is not on node %s's disk", rec.ID, rec.Node), err: err}
	}
	if errors.Is(err, nodes.ErrUnreachable) {
		s.log.Error("a node cannot be read", "recording", rec.ID, "node", rec.Node, "error", err)
		return nil, &publicError{status: http.StatusServiceUnavailable, code: "node_unavailable",
			message: fmt.Sprintf("recording %d is on node %s, which cannot be reached now; the administrator's log says why", rec.ID, rec.Node), err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("open recording %d on node %s: %w", rec.ID, rec.Node, err)
	}
	return &recordingFile{rec: rec, f: f, close: f.Close, size: f.Size(), modTime: rec.ModTime}, nil
}
