package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/faultpoint"
	"github.com/totalrec/totalrec/recordings/spool"
)

// Store is what the archive tier needs of the catalogue (catalog.Catalog
// satisfies it).
type Store interface {
	Get(ctx context.Context, id int64) (recordings.Recording, error)
	Archivable(ctx context.Context, node string, before, now time.Time, afterID int64, limit int) ([]recordings.ArchiveCandidate, error)
	SwitchToArchive(ctx context.Context, rec recordings.Recording, e recordings.ArchiveEntry) error
	SwitchToLocal(ctx context.Context, id int64, now, keepUntil time.Time) error
	SetArchiveState(ctx context.Context, id int64, from, to recordings.ArchiveState) error
	ArchiveOf(ctx context.Context, id int64) (recordings.ArchiveEntry, error)
	ArchiveEntries(ctx context.Context, node string, states ...recordings.ArchiveState) ([]recordings.ArchiveEntry, error)
}

// Archiver moves node's recordings from the spool to the bucket once they are
// older than After, and back on request (Restore). A crash at any step leaves one
// readable copy that the catalogue names (see the package documentation). An
// Archiver is used by one goroutine at a time.
type Archiver struct {
	Store  Store
	Tree   *spool.Tree
	Bucket *s3.Bucket
	Node   string
	// After is how old (by modification time) a recording must be to be archived.
	After time.Duration
	// KeepRestored is how long a restored recording stays on disk before it may be
	// archived again.
	KeepRestored time.Duration
	// MinFree is the share of the spool's file system, in percent, to keep free:
	// below it a pass archives recordings younger than After too (but not younger
	// than MinAge), oldest first, until the disk is above it again. 0: off.
	MinFree float64
	// MinAge bounds what the free-disk watermark archives; 0 is DefaultMinAge.
	MinAge time.Duration
	// Disk measures the spool's file system; nil measures it with statfs.
	Disk func() (free, total int64, err error)
	// Switch, when set, is held around each switch of the catalogue and the removal
	// that follows it: the daemon's scan takes it too, so that no scan lists a
	// directory halfway through.
	Switch sync.Locker
	Log    *slog.Logger
	Now    func() time.Time

	from int64 // where the next pass's listing starts
}

// Report counts what a pass did.
type Report struct {
	Archived  int   `json:"archived"`
	Bytes     int64 `json:"bytes"`
	Failed    int   `json:"failed"`
	Changed   int   `json:"changed"` // changed, claimed or gone meanwhile: left as they were
	Recovered int   `json:"recovered"`
	// Watermark says that the disk was below MinFree: the pass archived recordings
	// younger than After to make room.
	Watermark bool `json:"watermark,omitempty"`
	// Errors are the first few failures, for the summary.
	Errors []string `json:"errors,omitempty"`
}

const (
	page      = 100 // candidates read from the catalogue at a time
	maxErrors = 10  // failures a report keeps the text of
	// maxFailedInRow stops a pass whose bucket fails every upload (a server
	// answering 500s): each failure costs the client's retries.
	maxFailedInRow = 5
)

// DefaultKeepRestored is how long a restored recording stays on disk by default.
const DefaultKeepRestored = 30 * 24 * time.Hour

// DefaultMinAge is the youngest a recording the free-disk watermark archives may be.
const DefaultMinAge = time.Hour

// Pass finishes what a crash interrupted, then archives every recording old
// enough, up to limit (0: no limit). progress, when set, is called after each.
// A recording that cannot be archived is counted and left on disk; an error is
// returned only for what stops the pass (the catalogue, a cancelled ctx, the
// bucket refusing the credentials or missing).
func (a *Archiver) Pass(ctx context.Context, limit int, progress func(Report)) (Report, error) {
	var rep Report
	if err := a.Recover(ctx, &rep); err != nil {
		return rep, err
	}
	now := a.now()
	aged := now.Add(-a.After)
	before := aged
	pressed, err := a.underWatermark()
	if err != nil {
		return rep, err
	}
	if pressed {
		rep.Watermark = true
		before = now.Add(-a.minAge())
	}
	inRow := 0 // failures since the last recording archived
	for limit <= 0 || rep.Archived+rep.Failed < limit {
		cands, err := a.Store.Archivable(ctx, a.Node, before, now, a.from, page)
		if err != nil {
			return rep, err
		}
		for _, cand := range cands {
			if limit > 0 && rep.Archived+rep.Failed >= limit {
				return rep, nil
			}
			a.from = cand.ID
			if pressed && rep.Archived > 0 {
				if pressed, err = a.underWatermark(); err != nil {
					return rep, err
				}
				if !pressed {
					before = aged
				}
			}
			if !cand.ModTime.Before(before) {
				continue // listed for the watermark, which is met now
			}
			err := a.archive(ctx, cand, &rep)
			if fatal(ctx, err) {
				return rep, err
			}
			if err != nil {
				rep.fail(cand.Path, err)
				a.log().Warn("archive a recording", "recording", cand.ID, "path", cand.Path, "error", err)
				if inRow++; inRow == maxFailedInRow {
					return rep, fmt.Errorf("%d recordings in a row could not be archived; the pass stops, the next tries again: %w", inRow, err)
				}
			} else {
				inRow = 0
			}
			if progress != nil {
				progress(rep)
			}
		}
		if len(cands) < page {
			a.from = 0 // a recording that became old enough below where the listing was is found next time
			break
		}
	}
	return rep, nil
}

// underWatermark reports whether the spool's file system has less than MinFree
// percent free.
func (a *Archiver) underWatermark() (bool, error) {
	if a.MinFree <= 0 {
		return false, nil
	}
	disk := a.Disk
	if disk == nil {
		disk = func() (int64, int64, error) { return statfs(a.Tree.Dir()) }
	}
	free, total, err := disk()
	if err != nil {
		return false, fmt.Errorf("archive: %w", err)
	}
	return total > 0 && float64(free) < a.MinFree/100*float64(total), nil
}

func statfs(dir string) (free, total int64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, fmt.Errorf("measure the disk of %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), int64(st.Blocks) * int64(st.Bsize), nil
}

func (a *Archiver) minAge() time.Duration {
	if a.MinAge > 0 {
		return a.MinAge
	}
	return DefaultMinAge
}

// fatal reports an error that no other recording would escape: a cancelled pass,
// or a bucket that refuses the credentials, is missing, or does not answer.
func fatal(ctx context.Context, err error) bool {
	return err != nil && (ctx.Err() != nil || errors.Is(err, s3.ErrCredentials) ||
		errors.Is(err, s3.ErrNoBucket) || errors.Is(err, s3.ErrUnreachable))
}

func (r *Report) fail(p string, err error) {
	r.Failed++
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, p+": "+err.Error())
	}
}

// archive moves one recording to the bucket: upload (hashing what is read),
// check the hash against the catalogue's, verify the object by reading it back,
// switch the catalogue, remove the local file.
func (a *Archiver) archive(ctx context.Context, cand recordings.ArchiveCandidate, rep *Report) error {
	rec := cand.Recording
	key := recordings.ObjectKey(rec.Node, rec.Path)
	f, fi, err := a.Tree.OpenFile(rec.Path)
	if errors.Is(err, fs.ErrNotExist) {
		rep.Changed++
		return nil // the scan marks it missing
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if fi.Size != rec.Size {
		rep.Changed++
		return nil // the scan catalogues it again
	}
	h := sha256.New()
	faultpoint.Hit("archive.upload.before")
	if err := a.Bucket.Put(ctx, key, io.TeeReader(io.NewSectionReader(f, 0, fi.Size), h), fi.Size, metadata(cand)); err != nil {
		return err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != cand.SHA256 {
		a.removeObject(ctx, key)
		return fmt.Errorf("the file's SHA-256 %s is not the %s sealed for it: not archived (totalrec verify reports it)", sum, cand.SHA256)
	}
	faultpoint.Hit("archive.upload.after")
	if err := a.Bucket.Verify(ctx, key, fi.Size, cand.SHA256); err != nil {
		a.removeObject(ctx, key)
		return err
	}
	faultpoint.Hit("archive.verify.after")
	e := recordings.ArchiveEntry{ID: rec.ID, Node: rec.Node, Key: key, SHA256: cand.SHA256, Size: fi.Size, ArchivedAt: a.now()}
	a.lock()
	defer a.unlock()
	if err := a.Store.SwitchToArchive(ctx, rec, e); errors.Is(err, recordings.ErrConflict) {
		// Claimed by retention, or changed: the catalogue still names the file,
		// and the object is not the recording's.
		a.removeObject(ctx, key)
		rep.Changed++
		return nil
	} else if err != nil {
		return err
	}
	faultpoint.Hit("archive.switch.after")
	if err := a.removeLocal(rec.Path); err != nil {
		return err // the next pass's Recover removes it
	}
	faultpoint.Hit("archive.remove.after")
	if err := a.Store.SetArchiveState(ctx, rec.ID, recordings.ArchiveUploaded, recordings.ArchiveArchived); err != nil {
		return err
	}
	rep.Archived++
	rep.Bytes += fi.Size
	return nil
}

// metadata is what the object carries of its call, so that the bucket alone
// says what each object is.
func metadata(cand recordings.ArchiveCandidate) map[string]string {
	rec := cand.Recording
	m := map[string]string{
		"sha256":       cand.SHA256,
		"recording-id": strconv.FormatInt(rec.ID, 10),
		"format":       string(rec.Format),
		"call-time":    rec.CallTime.UTC().Format(time.RFC3339),
		"duration-ms":  strconv.FormatInt(rec.Duration.Milliseconds(), 10),
	}
	for k, v := range map[string]string{"node": rec.Node, "uniqueid": rec.Name.UniqueID,
		"src": rec.CDR.Src, "dst": rec.CDR.Dst, "did": rec.CDR.DID} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// removeObject removes an object that the catalogue does not name; a failure
// only leaves an orphan, which the next upload of the key replaces.
func (a *Archiver) removeObject(ctx context.Context, key string) {
	if err := a.Bucket.Remove(context.WithoutCancel(ctx), key); err != nil {
		a.log().Warn("remove an object the catalogue does not name", "key", key, "error", err)
	}
}

// removeLocal removes the spool file at p, durably; one already gone is fine.
func (a *Archiver) removeLocal(p string) error {
	d, err := a.Tree.OpenDir(dirOf(p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Remove(path.Base(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return d.Sync()
}

// Recover finishes the moves a crash interrupted: a recording switched to the
// bucket whose local file may remain loses the file; one switched back to disk
// whose object may remain loses the object.
func (a *Archiver) Recover(ctx context.Context, rep *Report) error {
	open, err := a.Store.ArchiveEntries(ctx, a.Node, recordings.ArchiveUploaded, recordings.ArchiveRestoring)
	if err != nil {
		return err
	}
	for _, e := range open {
		if err := a.finish(ctx, e); err != nil {
			return fmt.Errorf("finish the archive move of recording %d: %w", e.ID, err)
		}
		rep.Recovered++
	}
	return nil
}

func (a *Archiver) finish(ctx context.Context, e recordings.ArchiveEntry) error {
	if e.State == recordings.ArchiveRestoring {
		if err := a.Bucket.Remove(ctx, e.Key); err != nil {
			return err
		}
		return a.Store.SetArchiveState(ctx, e.ID, recordings.ArchiveRestoring, recordings.ArchiveRestored)
	}
	rec, err := a.Store.Get(ctx, e.ID)
	if err != nil {
		return err
	}
	a.lock()
	err = a.removeLocal(rec.Path)
	a.unlock()
	if err != nil {
		return err
	}
	return a.Store.SetArchiveState(ctx, e.ID, recordings.ArchiveUploaded, recordings.ArchiveArchived)
}

// Restore brings an archived recording back to disk: the object is read into a
// work file beside where the recording was, checked against the SHA-256 it was
// archived with, given the recording's modification time, synced and renamed
// into place; the catalogue then names the file, kept on disk for KeepRestored,
// and the object is removed.
func (a *Archiver) Restore(ctx context.Context, rec recordings.Recording) error {
	if rec.Storage != recordings.StorageS3 {
		return fmt.Errorf("restore recording %d: it is on disk already: %w", rec.ID, recordings.ErrConflict)
	}
	e, err := a.Store.ArchiveOf(ctx, rec.ID)
	if err != nil {
		return fmt.Errorf("restore recording %d: %w", rec.ID, err)
	}
	if err := a.fetch(ctx, rec, e); err != nil {
		return fmt.Errorf("restore recording %d: %w", rec.ID, err)
	}
	now := a.now()
	keep := a.KeepRestored
	if keep <= 0 {
		keep = DefaultKeepRestored
	}
	a.lock()
	err = a.Store.SwitchToLocal(ctx, rec.ID, now, now.Add(keep))
	a.unlock()
	if err != nil {
		return fmt.Errorf("restore recording %d: %w", rec.ID, err)
	}
	faultpoint.Hit("archive.restore.switch.after")
	if err := a.finish(ctx, recordings.ArchiveEntry{ID: rec.ID, Key: e.Key, State: recordings.ArchiveRestoring}); err != nil {
		return fmt.Errorf("restore recording %d: the file is back, but the object was not removed (the next pass removes it): %w", rec.ID, err)
	}
	return nil
}

// fetch puts the object of e at rec's path, unless a file with its hash is there
// already (a restore cut short after its rename).
func (a *Archiver) fetch(ctx context.Context, rec recordings.Recording, e recordings.ArchiveEntry) error {
	dir, name := dirOf(rec.Path), path.Base(rec.Path)
	if err := a.Tree.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	d, err := a.Tree.OpenDir(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if f, _, err := a.Tree.OpenFile(rec.Path); err == nil {
		sum, herr := hashOf(f)
		f.Close()
		if herr != nil {
			return herr
		}
		if sum == e.SHA256 {
			return nil
		}
		return fmt.Errorf("a different file is at %s: %w", rec.Path, fs.ErrExist)
	}
	obj, err := a.Bucket.OpenObject(ctx, e.Key)
	if err != nil {
		return err
	}
	defer obj.Close()
	work := spool.WorkPrefix + strconv.FormatInt(rec.ID, 10) + path.Ext(name)
	if err := d.Remove(work); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out, err := d.CreateFile(work, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), io.NewSectionReader(obj, 0, obj.Size()))
	if err == nil && hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		err = fmt.Errorf("the object %s does not have the SHA-256 it was archived with: %w", e.Key, s3.ErrMismatch)
	}
	if err == nil {
		tv := []unix.Timeval{unix.NsecToTimeval(rec.ModTime.UnixNano()), unix.NsecToTimeval(rec.ModTime.UnixNano())}
		err = unix.Futimes(int(out.Fd()), tv)
	}
	if err == nil {
		err = out.Sync()
	}
	err = errors.Join(err, out.Close())
	if err == nil {
		err = d.RenameTo(work, d, name)
	}
	if err != nil {
		d.Remove(work)
		return err
	}
	return d.Sync()
}

// dirOf is the spool directory of p: "" for the root.
func dirOf(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

func hashOf(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (a *Archiver) lock() {
	if a.Switch != nil {
		a.Switch.Lock()
	}
}

func (a *Archiver) unlock() {
	if a.Switch != nil {
		a.Switch.Unlock()
	}
}

func (a *Archiver) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Archiver) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}
