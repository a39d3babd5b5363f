package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/internal/testsupport/s3server"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/evidence"
)

// archiveEnv is the environment that points totalrec at the test's S3 server.
func archiveEnv(s *s3server.Server, secret string) []string {
	return []string{"TOTALREC_ARCHIVE_ENDPOINT=http://" + s.Endpoint, "TOTALREC_ARCHIVE_BUCKET=" + s.Bucket,
		"TOTALREC_ARCHIVE_ACCESS_KEY=" + s.AccessKey, "TOTALREC_ARCHIVE_SECRET_KEY=" + secret,
		"TOTALREC_ARCHIVE_AFTER=1h", "TOTALREC_COMPRESS=keep"}
}

// storageOf reads every catalogued recording, deleted or not, by path.
func storageOf(t *testing.T, db string) map[string]recordings.Recording {
	t.Helper()
	ctx := context.Background()
	c, err := catalog.Open(ctx, db, nil, catalog.Existing())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.DB().QueryContext(ctx, `SELECT id FROM totalrec_recordings`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rows.Err())
	rows.Close()
	out := map[string]recordings.Recording{}
	for _, id := range ids {
		r, err := c.Get(ctx, id)
		must(t, err)
		out[r.Path] = r
	}
	return out
}

// TestCLI_Archive moves a spool's old recordings to a real S3 server (versitygw)
// and back: nothing leaves the disk before its object is verified, a scan finds
// nothing missing, archived recordings play with Range requests, verify reads
// them from the bucket, restore brings one back, and retention deletes from the
// bucket.
func TestCLI_Archive(t *testing.T) {
	for _, b := range []struct{ name, db string }{{"sqlite", ""}, {"mysql", "mysql"}} {
		t.Run(b.name, func(t *testing.T) {
			db := ""
			if b.db == "mysql" {
				db = mariadb.NewDatabase(t, "totalrec_archive_cli_test")
			}
			testArchive(t, db)
		})
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

func testArchive(t *testing.T, db string) {
	srv := s3server.Start(t)
	s := newRetSpool(t, db, 3, 4, "max_age = 2d\ngrace = 15m\n")
	env := append(s.env(), archiveEnv(srv, srv.SecretKey)...)
	before := s.files(t)
	cli(t, env, "seal", "--init").must(t, exitOK)

	// Faults first: nothing may leave the disk.
	wrong := cli(t, append(s.env(), archiveEnv(srv, "not-the-secret")...), "archive")
	if wrong.code == exitOK || !strings.Contains(wrong.stderr, "credentials") || strings.Contains(wrong.stderr+wrong.stdout, "not-the-secret") {
		t.Errorf("archive with a wrong secret: exit %d\n%s%s", wrong.code, wrong.stdout, wrong.stderr)
	}
	srv.Stop()
	down := cli(t, env, "archive")
	if down.code == exitOK || !strings.Contains(down.stderr, srv.Endpoint) {
		t.Errorf("archive with the S3 server down: exit %d\n%s%s", down.code, down.stdout, down.stderr)
	}
	srv.Restart(t)
	noBucket := cli(t, append(env, "TOTALREC_ARCHIVE_BUCKET=no-such-bucket"), "archive")
	if noBucket.code == exitOK || !strings.Contains(noBucket.stderr, "no-such-bucket") {
		t.Errorf("archive to a missing bucket: exit %d\n%s%s", noBucket.code, noBucket.stdout, noBucket.stderr)
	}
	if after := s.files(t); len(after) != len(before) {
		t.Fatalf("failed archive runs changed the spool: %d files, %d before", len(after), len(before))
	}

	dry := cli(t, env, "archive", "--dry-run").must(t, exitOK)
	if !strings.Contains(dry.stdout, "dry run: 0 recordings") {
		t.Errorf("nothing is sealed yet, and the dry run counts:\n%s", dry.stdout)
	}
	cli(t, env, "seal").must(t, exitOK)
	dry = cli(t, env, "archive", "--dry-run").must(t, exitOK)
	if !strings.Contains(dry.stdout, "dry run: 12 recordings") {
		t.Errorf("archive --dry-run:\n%s", dry.stdout)
	}
	if after := s.files(t); len(after) != len(before) {
		t.Fatalf("the dry run changed the spool")
	}

	rep := decode[archiveReport](t, cli(t, env, "archive", "--json").must(t, exitOK).stdout)
	if rep.Report.Archived != 12 || rep.Report.Failed != 0 {
		t.Fatalf("archive: %+v", rep)
	}
	if left := s.files(t); len(left) != 0 {
		t.Errorf("%d files left on disk after archiving everything: %v", len(left), left)
	}
	rows := storageOf(t, s.db)
	wav := pcmWAV(800)
	for p := range before {
		r := rows[p]
		if r.Storage != recordings.StorageS3 || r.State != recordings.StateOK {
			t.Errorf("%s: storage %q, state %q after archiving", p, r.Storage, r.State)
		}
		obj, err := os.ReadFile(filepath.Join(srv.Dir, srv.Bucket, recordings.ObjectKey("", p)))
		if err != nil || !bytes.Equal(obj, wav) {
			t.Errorf("%s: the object is not the file: %v", p, err)
		}
	}
	// A scan finds the files gone from disk and knows why: nothing is missing.
	cli(t, env, "scan", "--full", "--no-cdr").must(t, exitOK)
	for p, r := range storageOf(t, s.db) {
		if r.State != recordings.StateOK || r.Storage != recordings.StorageS3 {
			t.Errorf("%s after a scan: state %q, storage %q", p, r.State, r.Storage)
		}
	}
	// doctor: the bucket answers; with a wrong secret it fails, naming no secret.
	if r := cli(t, env, "doctor"); !regexpMatch(`(?m)^ok\s+archive\s+.*12 recordings`, r.stdout) {
		t.Errorf("doctor with the archive well:\n%s", r.stdout)
	}
	if r := cli(t, append(env, "TOTALREC_ARCHIVE_SECRET_KEY=not-the-secret"), "doctor"); r.code == exitOK ||
		!regexpMatch(`(?m)^fail\s+archive\s+.*credentials`, r.stdout) || strings.Contains(r.stdout, "not-the-secret") {
		t.Errorf("doctor with a wrong secret: exit %d\n%s", r.code, r.stdout)
	}
	st := cli(t, env, "archive", "status").must(t, exitOK)
	if !strings.Contains(st.stdout, "archived:  12 recordings") {
		t.Errorf("archive status:\n%s", st.stdout)
	}
	if again := cli(t, env, "archive").must(t, exitOK); !strings.Contains(again.stdout, "archived 0 recordings") {
		t.Errorf("a second archive:\n%s", again.stdout)
	}

	// Played from the bucket, with Range.
	var victim recordings.Recording
	for _, r := range rows {
		if victim.ID == 0 || r.ID < victim.ID {
			victim = r
		}
	}
	token := newToken(t, env, "archive-test", "all")
	d := start(t, env, "serve", "--listen", "127.0.0.1:0", "--no-scan")
	base := d.url(t, "Totalrec is serving on ")
	res, body := httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d/audio", base, victim.ID), "Authorization", "Bearer "+token, "Range", "bytes=100-299")
	if res.StatusCode != 206 || body != string(wav[100:300]) {
		t.Errorf("ranged GET of an archived recording: %d, %d bytes", res.StatusCode, len(body))
	}
	res, body = httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d/original", base, victim.ID), "Authorization", "Bearer "+token)
	if res.StatusCode != 200 || body != string(wav) {
		t.Errorf("download of an archived recording: %d, %d bytes", res.StatusCode, len(body))
	}
	res, _ = httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d/waveform", base, victim.ID), "Authorization", "Bearer "+token)
	if res.StatusCode != 200 {
		t.Errorf("waveform of an archived recording: %d", res.StatusCode)
	}
	d.stop(t, 15)

	// verify reads archived recordings from the bucket: one altered object is
	// reported, and nothing else.
	cli(t, env, "seal", "--now="+time.Now().Add(48*time.Hour).Format(time.RFC3339)).must(t, exitOK)
	vr := decode[evidence.Report](t, cli(t, env, "verify", "--json").must(t, exitOK).stdout)
	if vr.Recordings != 12 || len(vr.Problems) != 0 {
		t.Fatalf("verify of archived recordings: %+v", vr)
	}
	objPath := filepath.Join(srv.Dir, srv.Bucket, victim.Path)
	altered := append([]byte{}, wav...)
	altered[500] ^= 1
	must(t, os.WriteFile(objPath, altered, 0o644))
	r := cli(t, env, "verify", "--json")
	vr = decode[evidence.Report](t, r.stdout)
	if r.code == exitOK || len(vr.Problems) != 1 || vr.Problems[0].ID != victim.ID || vr.Problems[0].Kind != evidence.ProblemAltered {
		t.Errorf("verify after altering one object: exit %d, %+v", r.code, vr.Problems)
	}
	// Restore refuses the altered object, and restores a sound one.
	if r := cli(t, env, "archive", "restore", fmt.Sprint(victim.ID)); r.code == exitOK {
		t.Errorf("restore of an altered object succeeded:\n%s", r.stdout)
	}
	must(t, os.WriteFile(objPath, wav, 0o644))
	cli(t, env, "archive", "restore", fmt.Sprint(victim.ID)).must(t, exitOK)
	got, err := os.ReadFile(filepath.Join(s.root, victim.Path))
	if err != nil || !bytes.Equal(got, wav) {
		t.Fatalf("restored file: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(s.root, victim.Path)); err != nil || !fi.ModTime().Equal(victim.ModTime) {
		t.Errorf("restored file's mtime: %v, want %v (%v)", fi.ModTime(), victim.ModTime, err)
	}
	if _, err := os.Stat(objPath); !os.IsNotExist(err) {
		t.Errorf("the restored recording's object is still in the bucket: %v", err)
	}
	if r := storageOf(t, s.db)[victim.Path]; r.Storage != recordings.StorageLocal {
		t.Errorf("restored recording's storage: %q", r.Storage)
	}
	// Kept on disk: the next pass leaves it there.
	if again := cli(t, env, "archive").must(t, exitOK); !strings.Contains(again.stdout, "archived 0 recordings") {
		t.Errorf("archive after a restore:\n%s", again.stdout)
	}
	if s := storageOf(t, s.db); s[victim.Path].Storage != recordings.StorageLocal {
		t.Errorf("the restored recording was archived again")
	}

	// A data subject's export reads archived recordings from the bucket, and the
	// erasure deletes their objects.
	const number = "74955550002"
	var theirs []string
	for p := range before {
		if strings.Contains(p, "-"+number+"-") {
			theirs = append(theirs, p)
		}
	}
	zipFile := filepath.Join(t.TempDir(), "subject.zip")
	cli(t, env, "subject", "export", number, "--out", zipFile).must(t, exitOK)
	zr, err := zip.OpenReader(zipFile)
	must(t, err)
	audio := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "recordings/") {
			audio++
			if f.UncompressedSize64 != uint64(len(wav)) {
				t.Errorf("export: %s has %d bytes", f.Name, f.UncompressedSize64)
			}
		}
	}
	zr.Close()
	if audio != len(theirs) || audio == 0 {
		t.Errorf("export: %d recordings, want %d", audio, len(theirs))
	}
	cli(t, env, "subject", "erase", number, "--apply").must(t, exitOK)
	for _, p := range theirs {
		if _, err := os.Stat(filepath.Join(srv.Dir, srv.Bucket, p)); !os.IsNotExist(err) {
			t.Errorf("%s: its object outlived the erasure: %v", p, err)
		}
	}
	// The archive journal forgets the erased recordings' paths, which name the number.
	c, err := catalog.Open(context.Background(), s.db, nil, catalog.Existing())
	must(t, err)
	var named int
	must(t, c.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM totalrec_archive WHERE object_key LIKE ?`, "%"+number+"%").Scan(&named))
	c.Close()
	if named != 0 {
		t.Errorf("%d archive journal rows still name the erased number", named)
	}

	// Retention deletes old recordings from the bucket as from the disk.
	now := "--now=" + retNow.Add(24*time.Hour).Format(time.RFC3339)
	cli(t, env, "retention", "run", "--json", "--force", now).must(t, exitOK)
	for p, r := range storageOf(t, s.db) {
		_, objErr := os.Stat(filepath.Join(srv.Dir, srv.Bucket, p))
		_, fileErr := os.Stat(filepath.Join(s.root, p))
		switch r.State {
		case recordings.StateDeleted:
			if objErr == nil || fileErr == nil {
				t.Errorf("%s deleted by retention, but its object (%v) or file (%v) remains", p, objErr, fileErr)
			}
		case recordings.StateOK:
			if (r.Storage == recordings.StorageS3) != (objErr == nil) {
				t.Errorf("%s kept (storage %s), object: %v", p, r.Storage, objErr)
			}
		default:
			t.Errorf("%s: state %s after retention", p, r.State)
		}
	}
	if n := len(storageOf(t, s.db)); n != 12 {
		t.Errorf("%d rows after retention", n)
	}
}

// TestArchive_CrashAfterSwitch leaves a move as a crash between the catalogue's
// switch and the local file's removal leaves it: the scan keeps away from the
// file, and the next pass removes it.
func TestArchive_CrashAfterSwitch(t *testing.T) {
	srv := s3server.Start(t)
	s := newRetSpool(t, "", 1, 2, "max_age = 30d\n")
	env := append(s.env(), archiveEnv(srv, srv.SecretKey)...)
	cli(t, env, "seal", "--init").must(t, exitOK)
	cli(t, env, "seal").must(t, exitOK)
	ctx := context.Background()
	c, err := catalog.Open(ctx, s.db, nil, catalog.Existing())
	if err != nil {
		t.Fatal(err)
	}
	cands, err := c.Archivable(ctx, "", time.Now(), time.Now(), 0, 10)
	if err != nil || len(cands) != 2 {
		t.Fatalf("archivable: %d, %v", len(cands), err)
	}
	victim := cands[0]
	bucket, err := archiveBucket(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(s.root, victim.Path))
	must(t, err)
	must(t, bucket.Put(ctx, victim.Path, bytes.NewReader(data), int64(len(data)), nil))
	must(t, c.SwitchToArchive(ctx, victim.Recording, recordings.ArchiveEntry{ID: victim.ID, Key: victim.Path, SHA256: victim.SHA256, Size: victim.Size, ArchivedAt: time.Now()}))
	c.Close()

	cli(t, env, "scan", "--full", "--no-cdr").must(t, exitOK)
	if r := storageOf(t, s.db)[victim.Path]; r.Storage != recordings.StorageS3 || r.State != recordings.StateOK {
		t.Fatalf("a scan over the leftover file: storage %q, state %q", r.Storage, r.State)
	}
	rep := decode[archiveReport](t, cli(t, env, "archive", "--json").must(t, exitOK).stdout)
	if rep.Report.Recovered != 1 || rep.Report.Archived != 1 {
		t.Errorf("archive after the crash: %+v", rep.Report)
	}
	if left := s.files(t); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}

func archiveBucket(ctx context.Context, srv *s3server.Server) (*s3.Bucket, error) {
	return s3.Open(ctx, srv.Config())
}

// TestCLI_ArchiveDaemon: the daemon archives old recordings on its own, and
// plays them from the bucket.
func TestCLI_ArchiveDaemon(t *testing.T) {
	srv := s3server.Start(t)
	s := newRetSpool(t, "", 2, 3, "max_age = 30d\n")
	env := append(s.env(), archiveEnv(srv, srv.SecretKey)...)
	env = append(env, "TOTALREC_SCAN_INTERVAL=1s")
	cli(t, env, "seal", "--init").must(t, exitOK)
	cli(t, env, "seal").must(t, exitOK) // the daemon's own sealing runs every few minutes
	token := newToken(t, env, "archive-daemon-test", "all")
	d := start(t, env, "serve", "--listen", "127.0.0.1:0")
	base := d.url(t, "Totalrec is serving on ")
	deadline := time.Now().Add(90 * time.Second)
	for {
		st := decode[struct{ Archived recordings.ArchiveCount }](t, cli(t, env, "archive", "status", "--json").must(t, exitOK).stdout)
		if st.Archived.Files == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon archived %d of 6 recordings in 90 s\n%s", st.Archived.Files, d.stderr.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	if left := s.files(t); len(left) != 0 {
		t.Errorf("files left on disk: %v", left)
	}
	for _, r := range storageOf(t, s.db) {
		res, body := httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d/audio", base, r.ID), "Authorization", "Bearer "+token)
		if res.StatusCode != 200 || body != string(pcmWAV(800)) {
			t.Errorf("recording %d from the bucket: %d, %d bytes", r.ID, res.StatusCode, len(body))
		}
	}
	if !strings.Contains(d.stderr.String(), "archived") {
		t.Errorf("the daemon's log does not say what it archived:\n%s", d.stderr.String())
	}
	d.stop(t, 15)
}

// archiveFaultPoints are the steps of one move to the bucket (package archive)
// where a crash matters.
var archiveFaultPoints = []string{
	"archive.upload.before", "archive.upload.after", "archive.verify.after",
	"archive.switch.after", "archive.remove.after",
}

// TestCLI_ArchiveKills kills `archive` at each step of its second move, and
// `archive restore` after its switch; run again, and scanned, every recording is
// then catalogued once, in exactly one place — its file or its object — with the
// bytes it had.
func TestCLI_ArchiveKills(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	srv := s3server.Start(t)
	for _, point := range append(archiveFaultPoints, "archive.restore.switch.after") {
		t.Run(point, func(t *testing.T) {
			s := newRetSpool(t, "", 1, 3, "max_age = 30d\n")
			env := append(s.env(), archiveEnv(srv, srv.SecretKey)...)
			env = append(env, "TOTALREC_ARCHIVE_PREFIX="+strings.ReplaceAll(t.Name(), "/", "-")+"/")
			prefix := filepath.Join(srv.Dir, srv.Bucket, strings.ReplaceAll(t.Name(), "/", "-"))
			runFault(t, env, "", "", "seal", "--init")
			runFault(t, env, "", "", "seal")
			want := 3
			if point == "archive.restore.switch.after" {
				runFault(t, env, "", "", "archive")
				rows := storageOf(t, s.db)
				var id int64
				for _, r := range rows {
					id = max(id, r.ID)
				}
				if r := runFault(t, env, point+":1", "", "archive", "restore", fmt.Sprint(id)); !r.killed {
					t.Fatalf("restore was not killed at %s (exit %d)\n%s", point, r.code, r.stderr)
				}
				if r := runFault(t, env, "", "", "archive", "restore", fmt.Sprint(id)); r.code != exitOK {
					t.Fatalf("restore after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				want = 2
			} else {
				if r := runFault(t, env, point+":2", "", "archive"); !r.killed {
					t.Fatalf("archive was not killed at %s:2 (exit %d)\n%s", point, r.code, r.stderr)
				}
				runFault(t, env, "", "", "scan", "--full", "--no-cdr")
				if r := runFault(t, env, "", "", "archive", "--json"); r.code != exitOK {
					t.Fatalf("archive after the kill: exit %d\n%s", r.code, r.stderr)
				}
			}
			runFault(t, env, "", "", "scan", "--full", "--no-cdr")
			rows := storageOf(t, s.db)
			if len(rows) != 3 {
				t.Errorf("%d rows, want 3", len(rows))
			}
			archived, objects := 0, 0
			filepath.WalkDir(prefix, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					objects++
				}
				return nil
			})
			for p, r := range rows {
				obj, objErr := os.ReadFile(filepath.Join(prefix, p))
				file, fileErr := os.ReadFile(filepath.Join(s.root, p))
				switch {
				case r.State != recordings.StateOK:
					t.Errorf("%s: state %s", p, r.State)
				case r.Storage == recordings.StorageS3:
					archived++
					if objErr != nil || !bytes.Equal(obj, pcmWAV(800)) || fileErr == nil {
						t.Errorf("%s archived: object %v, local file %v", p, objErr, fileErr)
					}
				default:
					if fileErr != nil || !bytes.Equal(file, pcmWAV(800)) || objErr == nil {
						t.Errorf("%s on disk: file %v, object %v", p, fileErr, objErr)
					}
				}
			}
			if archived != want || objects != want {
				t.Errorf("%d archived, %d objects in the bucket; want %d", archived, objects, want)
			}
		})
	}
}
