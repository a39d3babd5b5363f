package retention

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/totalrec/totalrec/recordings"
)

// A claim's reason is the deletion's reason tagged with the run that claimed it,
// "retention max_age on 2026-11-26 [run 17]", until the run counts the deletion
// and marks the row deleted with the untagged reason (Store.SettleDeletions). A
// claim found tagged after a crash is a deletion its run never counted.
const runTag = " [run "

func tagRun(reason string, run int64) string {
	return reason + runTag + strconv.FormatInt(run, 10) + "]"
}

// untagRun splits a claim's reason into the deletion's reason and the run that
// has yet to count it (0 with counted false: counted already, or no tag).
func untagRun(s string) (reason string, run int64, counted bool) {
	i := strings.LastIndex(s, runTag)
	if i < 0 || !strings.HasSuffix(s, "]") {
		return s, 0, true
	}
	n, err := strconv.ParseInt(s[i+len(runTag):len(s)-1], 10, 64)
	if err != nil {
		return s, 0, true
	}
	return s[:i], n, false
}

// Recovered is what Recover settled of the claims killed runs left.
type Recovered struct {
	Deleted  Count           // claimed files found gone: their rows marked deleted
	ByRun    map[int64]Count // of Deleted, those counted to the run that claimed them
	Released int64           // claimed files still there: released, to be decided again
	Failed   int64           // claims left as they were: the file could not be looked at
}

// Recover settles the claims that runs killed between a claim and its mark left
// on this node. A claimed file that is gone was deleted by its run: the row is
// counted to that run, its CDR link cleared when the policy asks, and it is marked
// deleted. A claimed file still there was not deleted: the claim is released and
// the recording decided again like any other. The caller holds the retention lock
// (no other run is claiming) and calls Recover before Plan.
func (r *Runner) Recover(ctx context.Context) (Recovered, error) {
	r.defaults()
	rc := Recovered{ByRun: map[int64]Count{}}
	if r.Tree == nil {
		return rc, fmt.Errorf("recover retention claims: no spool tree")
	}
	if r.Policy.ClearCDR && r.CDR == nil {
		return rc, fmt.Errorf("recover retention claims: the policy clears cdr.recordingfile but no CDR database is configured: %w", recordings.ErrRefused)
	}
	var after int64
	for {
		page, err := r.Store.Claims(ctx, r.Node, after, r.Page)
		if err != nil {
			return rc, fmt.Errorf("recover retention claims: %w", err)
		}
		if err := r.recoverPage(ctx, page, &rc); err != nil {
			return rc, fmt.Errorf("recover retention claims: %w", err)
		}
		if len(page) < r.Page {
			break
		}
		after = page[len(page)-1].ID
	}
	// Keys a killed run left unswept, and those of the claims settled above.
	if _, err := r.Store.SweepKeys(ctx); err != nil {
		return rc, fmt.Errorf("recover retention claims: %w", err)
	}
	return rc, nil
}

// recoverPage settles one page of claims.
func (r *Runner) recoverPage(ctx context.Context, page []recordings.Recording, rc *Recovered) error {
	type runClaims struct {
		deleted  Count
		byReason map[string][]int64
	}
	var (
		kept     []int64
		gone     []recordings.Recording
		runs     = map[int64]*runClaims{}
		untagged = map[string][]int64{} // counted by their run already, not marked
	)
	for _, rec := range page {
		there, err := false, error(nil)
		if rec.Storage == recordings.StorageS3 {
			// An archived recording: its claim goes on to delete the object
			// (again, if the run got that far). A copy of its file left on disk
			// by an interrupted archive move is the archiver's to remove.
			_, err = r.removeObject(ctx, target{path: rec.Path, object: recordings.ObjectKey(rec.Node, rec.Path)})
		} else {
			there, err = r.onDisk(rec.Path)
		}
		switch {
		case err != nil:
			r.Log.Warn("retention could not settle a claim", "path", rec.Path, "err", err)
			rc.Failed++
			continue
		case there:
			kept = append(kept, rec.ID)
			continue
		}
		reason, run, counted := untagRun(rec.DeletedReason)
		rc.Deleted.add(rec.Size)
		if r.Policy.ClearCDR {
			gone = append(gone, recordings.Recording{ID: rec.ID, Path: rec.Path, CallTime: rec.CallTime})
		}
		if counted {
			untagged[reason] = append(untagged[reason], rec.ID)
			continue
		}
		rn := runs[run]
		if rn == nil {
			rn = &runClaims{byReason: map[string][]int64{}}
			runs[run] = rn
		}
		rn.deleted.add(rec.Size)
		rn.byReason[reason] = append(rn.byReason[reason], rec.ID)
	}
	if err := r.Store.ReleaseClaims(ctx, kept); err != nil {
		return err
	}
	rc.Released += int64(len(kept))
	if len(gone) > 0 && r.CDR != nil {
		if _, err := r.CDR.ClearRecordingFiles(ctx, r.Tree.Dir(), gone); err != nil {
			return err
		}
	}
	// The claims each run did not count, run by run, each with its counts; then
	// those counted already (by a version that counted and marked apart).
	for run, rn := range runs {
		if err := r.Store.SettleDeletions(ctx, run, rn.deleted.Files, rn.deleted.Bytes, rn.byReason, r.Now); err != nil {
			return err
		}
		c := rc.ByRun[run]
		c.Files += rn.deleted.Files
		c.Bytes += rn.deleted.Bytes
		rc.ByRun[run] = c
	}
	if len(untagged) > 0 {
		if err := r.Store.SettleDeletions(ctx, 0, 0, 0, untagged, r.Now); err != nil {
			return err
		}
	}
	return nil
}

// onDisk reports whether something is at p in the spool (a file, or whatever took
// its place): a claim on it is released, never settled as deleted.
func (r *Runner) onDisk(p string) (bool, error) {
	d, err := r.Tree.OpenDir(dirOf(p))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer d.Close()
	_, err = d.Lstat(path.Base(p))
	switch {
	case err == nil, errors.Is(err, recordings.ErrOutsideRoot):
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}
