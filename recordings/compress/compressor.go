package compress

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
	"github.com/totalrec/totalrec/recordings/faultpoint"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/stream"
)

// Store is what compression needs of the catalogue (catalog.Catalog satisfies it).
type Store interface {
	Get(ctx context.Context, id int64) (recordings.Recording, error)
	Compressible(ctx context.Context, node string, afterID int64, limit int) ([]recordings.Recording, error)
	SealOf(ctx context.Context, id int64) (recordings.Seal, error)
	AddSeals(ctx context.Context, seals []recordings.Seal) error
	StartConversion(ctx context.Context, v recordings.Conversion) error
	SetConversion(ctx context.Context, v recordings.Conversion) error
	SwitchConversion(ctx context.Context, v recordings.Conversion, modTime time.Time) error
	DropConversion(ctx context.Context, id int64) error
	Conversions(ctx context.Context, node string, states ...recordings.ConversionState) ([]recordings.Conversion, error)
	ConversionOf(ctx context.Context, id int64) (recordings.Conversion, error)
}

// CDR renames the file a call's CDR rows name (cdr.Reader satisfies it).
type CDR interface {
	RenameRecordingFile(ctx context.Context, uniqueid, from, to string) (int64, error)
}

// Events is told of a recording that is ready in its compressed form
// (webhook.Events satisfies it).
type Events interface {
	RecordingReady(ctx context.Context, rec recordings.Recording) error
}

// page is how many candidates a pass reads from the catalogue at a time.
const page = 100

// Compressor converts finished recordings to Codec's form, one at a time, each
// conversion journalled in the catalogue so that a crash at any step leaves one
// playable file that the catalogue and the CDR name (see the package
// documentation). A Compressor is used by one goroutine at a time, but for Queue.
type Compressor struct {
	Store Store
	Tree  *spool.Tree
	Codec Codec
	Node  string
	// Spool is the spool root as FreePBX names it, for CDR rows that hold the
	// recording's absolute path.
	Spool  string
	CDR    CDR    // nil: no CDR database
	Events Events // nil: no webhooks
	// KeepHeldOriginal keeps a held recording's original on disk, beside the new
	// form the catalogue names, until its holds are removed.
	KeepHeldOriginal bool
	// Switch, when set, is held around each conversion's rename, switch and removal
	// of the original: the daemon's scan takes it too, so that no scan lists a
	// directory halfway through.
	Switch sync.Locker
	Log    *slog.Logger
	Now    func() time.Time

	from   int64 // where the next pass's listing starts
	mu     sync.Mutex
	queued []int64 // recordings the hook announced, converted before the listing
}

// Report counts what a pass did.
type Report struct {
	Converted   int   `json:"converted"`
	Failed      int   `json:"failed"`
	Skipped     int   `json:"skipped"` // kept as they were: the new file was no smaller
	Recovered   int   `json:"recovered"`
	BytesBefore int64 `json:"bytes_before"`
	BytesAfter  int64 `json:"bytes_after"`
	// Formats breaks the conversions down by the originals' format.
	Formats map[recordings.Format]*FormatReport `json:"formats,omitempty"`
}

// FormatReport is what a pass converted of one format.
type FormatReport struct {
	Converted   int     `json:"converted"`
	BytesBefore int64   `json:"bytes_before"`
	BytesAfter  int64   `json:"bytes_after"`
	Seconds     float64 `json:"audio_seconds"`
}

// maxQueued bounds the recordings waiting from the hook; the periodic listing
// finds any dropped.
const maxQueued = 1024

// Queue asks the next pass to convert recording id first: the hook announced it,
// so its file is final, and it need not wait for its seal.
func (c *Compressor) Queue(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queued) < maxQueued {
		c.queued = append(c.queued, id)
	}
}

// Pass finishes or undoes what a crash interrupted, then converts the recordings
// the hook queued and every sealed recording not converted yet, up to limit
// recordings tried (0: no limit). progress, when set, is called after each.
func (c *Compressor) Pass(ctx context.Context, limit int, progress func(Report)) (Report, error) {
	var rep Report
	if err := c.Recover(ctx, &rep); err != nil {
		return rep, err
	}
	done := func() bool { return limit > 0 && rep.Converted+rep.Failed+rep.Skipped >= limit }
	if err := c.convertQueued(ctx, &rep, done, progress); err != nil {
		return rep, err
	}
	for !done() {
		recs, err := c.Store.Compressible(ctx, c.Node, c.from, page)
		if err != nil {
			return rep, err
		}
		for _, rec := range recs {
			if done() {
				return rep, nil
			}
			c.from = rec.ID
			if err := c.convertCounted(ctx, rec, &rep); err != nil {
				return rep, err
			}
			if progress != nil {
				progress(rep)
			}
			// A call that ended meanwhile goes before the rest of a backlog.
			if err := c.convertQueued(ctx, &rep, done, progress); err != nil {
				return rep, err
			}
		}
		if len(recs) < page {
			c.from = 0 // a recording sealed late, below where the listing was, is found next time
			break
		}
	}
	return rep, nil
}

// convertQueued converts the recordings the hook queued since the last call.
func (c *Compressor) convertQueued(ctx context.Context, rep *Report, done func() bool, progress func(Report)) error {
	c.mu.Lock()
	queued := c.queued
	c.queued = nil
	c.mu.Unlock()
	for _, id := range queued {
		if done() {
			return nil
		}
		rec, err := c.Store.Get(ctx, id)
		if errors.Is(err, recordings.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !Candidate(rec) {
			continue
		}
		if err := c.convertCounted(ctx, rec, rep); err != nil {
			return err
		}
		if progress != nil {
			progress(*rep)
		}
	}
	return nil
}

// Candidate reports whether rec is of a form the compressor converts: on disk with
// audio, not claimed, and of a format the player decodes that is not compressed.
func Candidate(rec recordings.Recording) bool {
	if rec.State != recordings.StateOK || !rec.DeletedAt.IsZero() || rec.Format.Compressed() {
		return false
	}
	switch rec.Format {
	case recordings.FormatG729, recordings.FormatUnknown:
		return false
	}
	return true
}

// convertCounted converts rec, counting the outcome. Only a catalogue failure is
// returned: a recording that cannot be converted is recorded as failed and kept.
func (c *Compressor) convertCounted(ctx context.Context, rec recordings.Recording, rep *Report) error {
	v, err := c.Convert(ctx, rec)
	switch {
	case errors.Is(err, recordings.ErrConflict):
		return nil // another pass, or retention, got there first
	case ctx.Err() != nil:
		return ctx.Err()
	case v.State == recordings.ConversionSkipped:
		rep.Skipped++
		return nil
	case v.State == recordings.ConversionFailed:
		rep.Failed++
		c.log().Warn("recording not compressed; the original is kept", slog.Int64("id", rec.ID), slog.String("reason", v.Detail))
		return nil
	case err != nil:
		return err
	}
	rep.Converted++
	rep.BytesBefore += v.FromSize
	rep.BytesAfter += v.ToSize
	if rep.Formats == nil {
		rep.Formats = map[recordings.Format]*FormatReport{}
	}
	f := rep.Formats[v.FromFormat]
	if f == nil {
		f = &FormatReport{}
		rep.Formats[v.FromFormat] = f
	}
	f.Converted++
	f.BytesBefore += v.FromSize
	f.BytesAfter += v.ToSize
	f.Seconds += v.Duration.Seconds()
	return nil
}

// Convert compresses one recording: the work file is written and checked, renamed
// to the recording's name with the new extension, the catalogue switched to it, the
// CDR rows renamed, and the original removed (or kept, while held). A recording the
// encoder or the check refuses is recorded as failed, with the reason, and kept as
// it is; the returned Conversion says so and the error is nil.
func (c *Compressor) Convert(ctx context.Context, rec recordings.Recording) (recordings.Conversion, error) {
	dir, name := path.Split(rec.Path)
	dir = strings.TrimSuffix(dir, "/")
	stem := strings.TrimSuffix(name, path.Ext(name))
	v := recordings.Conversion{
		ID: rec.ID, Node: rec.Node, State: recordings.ConversionPending,
		FromPath: rec.Path, FromFormat: rec.Format, FromSize: rec.Size,
		ToPath: path.Join(dir, stem+"."+c.Codec.Ext), ToFormat: c.Codec.Format,
		Work: spool.WorkPrefix + strconv.FormatInt(rec.ID, 10) + "." + c.Codec.Ext, StartedAt: c.now(),
	}
	if err := c.Store.StartConversion(ctx, v); err != nil {
		return v, err
	}
	faultpoint.Hit("compress.start.after")
	d, err := c.Tree.OpenDir(dir)
	if err != nil {
		return c.fail(ctx, v, nil, err)
	}
	defer d.Close()
	modTime, err := c.encode(ctx, d, rec, &v)
	if err != nil {
		return c.fail(ctx, v, d, err)
	}
	faultpoint.Hit("compress.encoded")
	v.State = recordings.ConversionVerified
	if err := c.Store.SetConversion(ctx, v); err != nil {
		return v, err
	}
	faultpoint.Hit("compress.verified.after")
	if err := c.switchTo(ctx, d, v, modTime, false); err != nil {
		return v, err
	}
	return c.Store.ConversionOf(ctx, v.ID) // as the steps left it: done, or kept
}

// encode writes and checks the work file, and fills in v's hashes, new size and
// duration. It returns the original's modification time, which the new file takes.
func (c *Compressor) encode(ctx context.Context, d *spool.Dir, rec recordings.Recording, v *recordings.Conversion) (time.Time, error) {
	name := path.Base(rec.Path)
	f, err := d.OpenFile(name)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return time.Time{}, err
	}
	if fi.Size() != rec.Size || !fi.ModTime().UTC().Truncate(time.Microsecond).Equal(rec.ModTime) {
		return time.Time{}, fmt.Errorf("%w: the file changed since it was catalogued", recordings.ErrConflict)
	}
	if _, err := d.Lstat(path.Base(v.ToPath)); err == nil {
		return time.Time{}, fmt.Errorf("%s exists already: %w", v.ToPath, fs.ErrExist)
	}
	if err := c.sealed(ctx, f, rec, v); err != nil {
		return time.Time{}, err
	}
	content, err := stream.Open(f, rec.Size, rec.Format, nil)
	if err != nil {
		return time.Time{}, err
	}
	// A work file of this recording left by an attempt whose clean-up failed is
	// nobody else's: one compressor at a time holds the lock.
	if err := d.Remove(v.Work); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, err
	}
	out, err := d.CreateFile(v.Work, uint32(fi.Mode().Perm()))
	if err != nil {
		return time.Time{}, err
	}
	defer out.Close()
	// Run as root (totalrec compress from a root shell), the new file still
	// belongs to whoever owned the original: Asterisk's user, FreePBX's web server.
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		if err := out.Chown(int(st.Uid), int(st.Gid)); err != nil {
			return time.Time{}, fmt.Errorf("give the new file the original's owner: %w", err)
		}
	}
	kbps := c.Codec.BitrateFor(rec.Format)
	if c.Codec.Format == recordings.FormatOpus && stereo(f, rec) {
		kbps *= 2 // two legs of a call, one per channel: each keeps the quality of a mono recording
	}
	orig, err := c.encodeMeasured(ctx, content.R, out, kbps)
	if err != nil {
		return time.Time{}, err
	}
	got, err := c.decodeMeasured(ctx, out, orig.rate)
	if err != nil {
		return time.Time{}, err
	}
	if err := compare(orig, got); err != nil {
		return time.Time{}, err
	}
	mt := fi.ModTime()
	tv := []unix.Timeval{unix.NsecToTimeval(mt.UnixNano()), unix.NsecToTimeval(mt.UnixNano())}
	if err := unix.Futimes(int(out.Fd()), tv); err != nil {
		return time.Time{}, fmt.Errorf("set the new file's time: %w", err)
	}
	if err := out.Sync(); err != nil {
		return time.Time{}, fmt.Errorf("sync the new file: %w", err)
	}
	v.ToSHA256, v.ToSize, err = hashFile(out)
	if err != nil {
		return time.Time{}, err
	}
	if v.ToSize >= rec.Size {
		return time.Time{}, fmt.Errorf("%w: %d bytes, not smaller than the original's %d", ErrNotSmaller, v.ToSize, rec.Size)
	}
	v.Duration = got.duration()
	return mt.UTC().Truncate(time.Microsecond), nil
}

// stereo reports whether rec is a two-channel PCM WAV (MixMonitor's legs in
// the left and right channels); LAME is told to mix it down, Opus keeps both.
func stereo(f *os.File, rec recordings.Recording) bool {
	if rec.Format != recordings.FormatWAV && rec.Format != recordings.FormatWAV16 {
		return false
	}
	info, err := audio.ParseWAV(f, rec.Size)
	return err == nil && info.Channels == 2
}

// ErrNotSmaller reports a new file no smaller than its original (a short
// recording, whose container costs more than it saves): the original is kept.
var ErrNotSmaller = errors.New("compressed file is not smaller")

// sealed makes sure the original is the file that was sealed, sealing it now when
// it has no seal yet (the hook said it is final), and records its hash in v.
func (c *Compressor) sealed(ctx context.Context, f *os.File, rec recordings.Recording, v *recordings.Conversion) error {
	sum, n, err := hashFile(f)
	if err != nil {
		return err
	}
	v.FromSHA256 = sum
	s, err := c.Store.SealOf(ctx, rec.ID)
	switch {
	case errors.Is(err, recordings.ErrNotFound):
		return c.Store.AddSeals(ctx, []recordings.Seal{{ID: rec.ID, Node: rec.Node, Path: rec.Path, SHA256: sum, Size: n, SealedAt: c.now()}})
	case err != nil:
		return err
	case s.SHA256 != sum:
		return fmt.Errorf("the original's SHA-256 is not the one sealed on %s: it was altered, and is kept for verify to report", s.SealedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// encodeMeasured feeds the WAV stream to the encoder and measures it on the way.
func (c *Compressor) encodeMeasured(ctx context.Context, wav io.Reader, out *os.File, kbps int) (levels, error) {
	pr, pw := io.Pipe()
	res := make(chan levelsResult, 1)
	go func() {
		l, err := measure(pr)
		pr.CloseWithError(err) // unblocks the encoder's reads if measuring stopped
		res <- levelsResult{l, err}
	}()
	err := c.Codec.Encode(ctx, io.TeeReader(wav, pw), out, kbps)
	pw.CloseWithError(err)
	r := <-res
	if err != nil {
		return levels{}, err
	}
	if r.err != nil {
		return levels{}, fmt.Errorf("read the original: %w", r.err)
	}
	return r.l, nil
}

// decodeMeasured decodes the work file with the reference decoder and measures it.
func (c *Compressor) decodeMeasured(ctx context.Context, f *os.File, rate int) (levels, error) {
	pr, pw := io.Pipe()
	res := make(chan levelsResult, 1)
	go func() {
		l, err := measure(pr)
		if err == nil {
			_, err = io.Copy(io.Discard, pr)
		}
		pr.CloseWithError(err)
		res <- levelsResult{l, err}
	}()
	err := c.Codec.Decode(ctx, f, rate, pw)
	pw.CloseWithError(err)
	r := <-res
	if err != nil {
		return levels{}, fmt.Errorf("%w: %w", ErrCheck, err)
	}
	if r.err != nil {
		return levels{}, fmt.Errorf("%w: decode: %w", ErrCheck, r.err)
	}
	return r.l, nil
}

type levelsResult struct {
	l   levels
	err error
}

// hashFile is the SHA-256 and length of f's bytes, read from its start.
func hashFile(f *os.File) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", f.Name(), err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// fail records v as failed with err's reason and removes its work file. A conflict
// (the recording changed, or is being deleted) is undone instead, so that it may
// be tried again once the catalogue has caught up. Catalogue errors are returned.
func (c *Compressor) fail(ctx context.Context, v recordings.Conversion, d *spool.Dir, err error) (recordings.Conversion, error) {
	if d != nil {
		if rerr := d.Remove(v.Work); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			c.log().Warn("remove a work file", slog.String("file", v.Work), slog.Any("error", rerr))
		}
	}
	if errors.Is(err, recordings.ErrConflict) || errors.Is(err, fs.ErrNotExist) || ctx.Err() != nil {
		if derr := c.Store.DropConversion(context.WithoutCancel(ctx), v.ID); derr != nil {
			return v, derr
		}
		return v, fmt.Errorf("compress recording %d: %w", v.ID, recordings.ErrConflict)
	}
	v.State, v.Detail, v.FinishedAt = recordings.ConversionFailed, err.Error(), c.now()
	if errors.Is(err, ErrNotSmaller) {
		v.State = recordings.ConversionSkipped
	}
	if serr := c.Store.SetConversion(ctx, v); serr != nil {
		return v, serr
	}
	c.announce(ctx, v.ID, nil)
	return v, nil
}

// switchTo takes a verified conversion the rest of the way: the work file
// renamed into place (unless renamed is set: a recovery found it there), the
// catalogue switched, then finish. A recording claimed or changed meanwhile keeps
// its original, whose fate is not the compressor's to decide: the new file is
// removed and the conversion forgotten.
func (c *Compressor) switchTo(ctx context.Context, d *spool.Dir, v recordings.Conversion, modTime time.Time, renamed bool) error {
	if c.Switch != nil {
		c.Switch.Lock()
		defer c.Switch.Unlock()
	}
	to := path.Base(v.ToPath)
	if !renamed {
		if err := d.RenameTo(v.Work, d, to); err != nil {
			_, err = c.fail(ctx, v, d, err)
			return err
		}
		if err := d.Sync(); err != nil {
			return err
		}
		faultpoint.Hit("compress.rename.after")
	}
	if err := c.Store.SwitchConversion(ctx, v, modTime); err != nil {
		if !errors.Is(err, recordings.ErrConflict) {
			return err // the journal says verified: the next pass takes it from here
		}
		if rerr := d.Remove(to); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return rerr
		}
		if err := c.Store.DropConversion(ctx, v.ID); err != nil {
			return err
		}
		return fmt.Errorf("compress recording %d: %w", v.ID, recordings.ErrConflict)
	}
	faultpoint.Hit("compress.switch.after")
	v.State = recordings.ConversionSwitched
	return c.finish(ctx, d, v)
}

// finish takes a switched conversion to its end: the CDR rows renamed, the
// recording announced, and the original removed (or kept while held). Every step
// may be repeated.
func (c *Compressor) finish(ctx context.Context, d *spool.Dir, v recordings.Conversion) error {
	rec, err := c.Store.Get(ctx, v.ID)
	if err != nil {
		return err
	}
	if c.CDR != nil {
		from, to := path.Base(v.FromPath), path.Base(v.ToPath)
		for _, p := range [][2]string{{from, to}, {path.Join(c.Spool, v.FromPath), path.Join(c.Spool, v.ToPath)}} {
			if _, err := c.CDR.RenameRecordingFile(ctx, rec.Name.UniqueID, p[0], p[1]); err != nil {
				return err // tried again by the next pass
			}
		}
	}
	faultpoint.Hit("compress.cdr.after")
	c.announce(ctx, v.ID, &rec)
	if rec.Held && c.KeepHeldOriginal {
		if v.State != recordings.ConversionKept {
			v.State = recordings.ConversionKept
			return c.Store.SetConversion(ctx, v)
		}
		return nil
	}
	if err := d.Remove(path.Base(v.FromPath)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := d.Sync(); err != nil {
		return err
	}
	faultpoint.Hit("compress.original.removed")
	v.State, v.FinishedAt = recordings.ConversionDone, c.now()
	return c.Store.SetConversion(ctx, v)
}

// announce sends recording.ready once the recording is in its final form (or its
// conversion failed), unless the CDR row is still awaited: enrichment sends it
// then. rec, when given, is the recording as the catalogue has it now.
func (c *Compressor) announce(ctx context.Context, id int64, rec *recordings.Recording) {
	if c.Events == nil {
		return
	}
	if rec == nil {
		r, err := c.Store.Get(ctx, id)
		if err != nil {
			return
		}
		rec = &r
	}
	if rec.CDRStatus == recordings.CDRPending {
		return
	}
	if err := c.Events.RecordingReady(ctx, *rec); err != nil {
		c.log().Warn("announce a compressed recording", slog.Int64("id", id), slog.Any("error", err))
	}
}

// Recover finishes or undoes the conversions a crash or a failed step left open,
// and removes the originals kept for holds that have ended:
//
//   - pending: the work file may be incomplete; it is removed and the conversion
//     forgotten, so that the recording is tried again.
//   - verified: the work file was checked; it is renamed into place if it still
//     has the hash recorded, and the conversion switched and finished. Otherwise
//     it is undone as pending.
//   - switched: finished (CDR, announcement, original).
//   - kept: the original is removed once the recording is no longer held.
func (c *Compressor) Recover(ctx context.Context, rep *Report) error {
	open, err := c.Store.Conversions(ctx, c.Node, recordings.ConversionPending, recordings.ConversionVerified,
		recordings.ConversionSwitched, recordings.ConversionKept)
	if err != nil {
		return err
	}
	for _, v := range open {
		// One conversion that cannot be finished now (the CDR database is down, a
		// directory unreadable) must not hold up the others: it is tried again by
		// the next pass.
		if err := c.recoverOne(ctx, v, rep); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log().Warn("finish an interrupted conversion", slog.Int64("id", v.ID), slog.String("state", string(v.State)), slog.Any("error", err))
		}
	}
	return nil
}

func (c *Compressor) recoverOne(ctx context.Context, v recordings.Conversion, rep *Report) error {
	d, err := c.Tree.OpenDir(path.Dir(v.FromPath))
	if errors.Is(err, fs.ErrNotExist) {
		if v.State == recordings.ConversionPending || v.State == recordings.ConversionVerified {
			return c.Store.DropConversion(ctx, v.ID)
		}
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	switch v.State {
	case recordings.ConversionPending:
		// A Compressor converts one recording at a time and recovers between
		// conversions: a pending one it sees was cut short.
		if err := d.Remove(v.Work); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return c.Store.DropConversion(ctx, v.ID)
	case recordings.ConversionVerified:
		rep.Recovered++
		return c.recoverVerified(ctx, d, v)
	case recordings.ConversionSwitched:
		rep.Recovered++
		return c.finish(ctx, d, v)
	case recordings.ConversionKept:
		rec, err := c.Store.Get(ctx, v.ID)
		if err != nil || rec.Held {
			return err
		}
		return c.finish(ctx, d, v)
	}
	return nil
}

// recoverVerified renames a checked work file into place, or finds it there
// already, and switches; anything else undoes the conversion.
func (c *Compressor) recoverVerified(ctx context.Context, d *spool.Dir, v recordings.Conversion) error {
	to := path.Base(v.ToPath)
	if c.hasHash(d, to, v.ToSHA256) {
		// Renamed before the crash: switch below.
	} else if c.hasHash(d, v.Work, v.ToSHA256) {
		if err := d.RenameTo(v.Work, d, to); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	} else {
		if err := d.Remove(v.Work); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return c.Store.DropConversion(ctx, v.ID)
	}
	fi, err := d.Lstat(to)
	if err != nil {
		return err
	}
	err = c.switchTo(ctx, d, v, fi.ModTime.UTC().Truncate(time.Microsecond), true)
	if errors.Is(err, recordings.ErrConflict) {
		return nil
	}
	return err
}

// hasHash reports whether the regular file name in d has the given SHA-256.
func (c *Compressor) hasHash(d *spool.Dir, name, sum string) bool {
	if sum == "" {
		return false
	}
	f, err := d.OpenFile(name)
	if err != nil {
		return false
	}
	defer f.Close()
	got, _, err := hashFile(f)
	return err == nil && got == sum
}

func (c *Compressor) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Compressor) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}
