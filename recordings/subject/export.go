package subject

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
)

// exportManifest is the ZIP's subject.json.
type exportManifest struct {
	Number     string              `json:"number"`
	Digits     string              `json:"digits_matched"`
	Exported   string              `json:"exported_at"`
	Recordings []exportedRecording `json:"recordings"`
	CDR        []recordings.CDR    `json:"cdr_rows"`
	NoCDR      bool                `json:"no_cdr_database,omitempty"`
}

type exportedRecording struct {
	recordings.RecordingJSON
	// Consent is the policy that recorded it, and whether the caller heard so.
	Consent recordings.Consent `json:"consent"`
	// File is the audio's name in the ZIP; "" when the file is gone.
	File string `json:"file"`
}

// Export writes what f found of number to w as one ZIP: subject.json (every
// recording's metadata and every CDR row) and, under recordings/, the audio of
// each recording still on disk, as Asterisk wrote it.
func (s *Subject) Export(ctx context.Context, w io.Writer, number string, f Found, loc *time.Location, now time.Time) error {
	m := exportManifest{Number: number, Digits: f.Digits, Exported: now.UTC().Format(time.RFC3339), CDR: f.CDR, NoCDR: f.NoCDR}
	if m.CDR == nil {
		m.CDR = []recordings.CDR{}
	}
	z := zip.NewWriter(w)
	for _, r := range f.Recordings {
		e := exportedRecording{RecordingJSON: recordings.NewRecordingJSON(r, loc)}
		var err error
		if e.Consent, err = s.Store.ConsentOf(ctx, r.ID); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if r.State != recordings.StateDeleted && r.State != recordings.StateMissing {
			name := "recordings/" + r.Path
			err = s.addFile(ctx, z, name, r)
			switch {
			case err == nil:
				e.File = name
			case !errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("export: %w", err)
			}
		}
		m.Recordings = append(m.Recordings, e)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fw, err := z.CreateHeader(&zip.FileHeader{Name: "subject.json", Method: zip.Deflate, Modified: now})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := fw.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// addFile copies r's file (or archived object) into the ZIP as name; audio
// compresses little, so it is stored.
func (s *Subject) addFile(ctx context.Context, z *zip.Writer, name string, r recordings.Recording) error {
	f, size, err := archive.Source{Tree: s.Tree, Objects: s.Objects, Node: s.Node}.Open(ctx, r)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: r.ModTime})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, io.NewSectionReader(f, 0, size))
	return err
}
