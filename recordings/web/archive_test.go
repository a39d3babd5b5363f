package web

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/s3server"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/subject"
)

// TestArchivedRecording: a recording moved to the archive bucket (a real S3
// server) plays with Range requests, downloads, draws its waveform and exports
// its evidence bundle from the bucket; without an archive configured, or with
// the server down, the answer says why.
func TestArchivedRecording(t *testing.T) {
	f := newFixture(t, 1, 6, nil)
	f.sealAll(t)
	rec := f.find(t, recordings.Query{}, func(r recordings.Recording) bool {
		return r.State == recordings.StateOK && (r.Format == recordings.FormatWAV || r.Format == recordings.FormatGSM)
	})
	orig := f.readFile(t, rec)
	srv := s3server.Start(t)
	bucket, err := s3.Open(context.Background(), srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	a := &archive.Archiver{Store: f.cat, Tree: f.tree, Bucket: bucket, After: time.Hour}
	rep, err := a.Pass(context.Background(), 0, nil)
	if err != nil || rep.Archived == 0 || rep.Failed != 0 {
		t.Fatalf("archive: %+v, %v", rep, err)
	}
	if got, _ := f.cat.Get(context.Background(), rec.ID); got.Storage != recordings.StorageS3 {
		t.Fatalf("recording %d is %s after archiving", rec.ID, got.Storage)
	}
	id := strconv.FormatInt(rec.ID, 10)

	// No archive here: 503, saying so.
	if res, body := f.get(t, "/api/v1/recordings/"+id+"/audio"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "archive") {
		t.Errorf("audio of an archived recording without an archive: %d %s", res.StatusCode, body)
	}

	g := f.withOptions(t, func(o *Options) { o.Archive = bucket })
	res, body := g.get(t, "/api/v1/recordings/"+id+"/audio", "Range", "bytes=1000-4999")
	if res.StatusCode != http.StatusPartialContent || len(body) != 4000 {
		t.Errorf("ranged audio from the bucket: %d, %d bytes", res.StatusCode, len(body))
	}
	res, body = g.get(t, "/api/v1/recordings/"+id+"/original", "Range", "bytes=100-999")
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(body, orig[100:1000]) {
		t.Errorf("a range of the original from the bucket: %d, %d bytes", res.StatusCode, len(body))
	}
	if res, body := g.get(t, "/api/v1/recordings/"+id+"/original"); res.StatusCode != http.StatusOK || !bytes.Equal(body, orig) {
		t.Errorf("original from the bucket: %d, %d bytes", res.StatusCode, len(body))
	}
	if res, body := g.get(t, "/api/v1/recordings/"+id+"/waveform"); res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"peaks":[`) {
		t.Errorf("waveform from the bucket: %d %.200s", res.StatusCode, body)
	}
	if res, body := g.get(t, "/recordings/"+id); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<audio") {
		t.Errorf("player page of an archived recording: %d", res.StatusCode)
	}
	res, body = g.get(t, "/recordings/"+id+"/evidence.zip")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("evidence bundle from the bucket: %d %s", res.StatusCode, body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, zf := range zr.File {
		if zf.Name == path.Base(rec.Path) {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			audio, _ := io.ReadAll(rc)
			rc.Close()
			found = bytes.Equal(audio, orig)
		}
	}
	if !found {
		t.Error("the bundle's audio is not the recording's")
	}

	// The ZIP export reads it from the bucket too.
	res, body = g.get(t, "/api/v1/exports/recordings.zip?linkedid="+url.QueryEscape(rec.LinkedID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ZIP export: %d %.300s", res.StatusCode, body)
	}
	if zr, err = zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	found = false
	for _, zf := range zr.File {
		if zf.UncompressedSize64 == uint64(len(orig)) && !strings.HasSuffix(zf.Name, ".txt") {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			audio, _ := io.ReadAll(rc)
			rc.Close()
			found = found || bytes.Equal(audio, orig)
		}
	}
	if !found {
		t.Error("the ZIP export lacks the archived recording's audio")
	}

	// The server down: an error that says what is wrong, not a broken body.
	srv.Stop()
	if res, body := g.get(t, "/api/v1/recordings/"+id+"/audio"); res.StatusCode != http.StatusServiceUnavailable ||
		!strings.Contains(string(body), "archive_unavailable") || strings.Contains(string(body), srv.Endpoint) {
		t.Errorf("audio with the S3 server down: %d %s", res.StatusCode, body)
	}
}

// TestSubjectArchived: a data subject's export reads archived recordings from the
// bucket, and the erasure from the web interface deletes their objects.
func TestSubjectArchived(t *testing.T) {
	f := newFixture(t, 2, 12, nil)
	f.sealAll(t)
	srv := s3server.Start(t)
	bucket, err := s3.Open(context.Background(), srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := (&archive.Archiver{Store: f.cat, Tree: f.tree, Bucket: bucket, After: time.Hour}).Pass(context.Background(), 0, nil); err != nil || rep.Archived == 0 {
		t.Fatalf("archive: %+v, %v", rep, err)
	}
	g := f.withOptions(t, func(o *Options) {
		o.Archive = bucket
		o.Subjects.Subject = &subject.Subject{Store: f.cat, CDR: f.cdr, Tree: f.tree, Suffix: catalog.NumberSuffix, Objects: bucket}
	})
	var number string
	var theirs []recordings.Recording
	for _, r := range f.all(t, recordings.Query{}) {
		if n := r.Caller(); len(n) >= 10 && r.Storage == recordings.StorageS3 && number == "" {
			number = n
		}
	}
	if number == "" {
		t.Fatal("no archived recording with a caller's number")
	}
	theirs = append(theirs, f.all(t, recordings.Query{Number: number})...)
	res, zipBody := g.post(t, "/subject/export", url.Values{"number": {number}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", res.StatusCode)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipBody), int64(len(zipBody)))
	if err != nil {
		t.Fatal(err)
	}
	audio := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "recordings/") {
			audio++
		}
	}
	if audio != len(theirs) {
		t.Errorf("export holds %d recordings' audio, want %d", audio, len(theirs))
	}
	res, body := g.post(t, "/subject/erase", url.Values{"number": {number}, "confirm": {number}})
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="subject-erased"`) {
		t.Fatalf("erase: %d\n%s", res.StatusCode, body)
	}
	for _, r := range theirs {
		key := recordings.ObjectKey(r.Node, r.Path)
		if _, err := bucket.Stat(context.Background(), key); !errors.Is(err, s3.ErrNotFound) {
			t.Errorf("recording %d (%s): its object outlived the erasure: %v", r.ID, r.Storage, err)
		}
	}
}
