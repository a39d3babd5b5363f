package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"text/template"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Bundle writes to w the chain-of-custody bundle of recording id, a ZIP archive:
// the audio as sealed, its metadata, its line of the manifest, that day's signed
// manifest, the public key, and VERIFY.txt, which says how to check all of it
// with sha256sum and openssl. It does not check the file first; Verify does.
func (v *Verifier) Bundle(ctx context.Context, w io.Writer, id int64, now time.Time) error {
	s, err := v.Store.SealOf(ctx, id)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if s.Listed == "" {
		return fmt.Errorf("bundle recording %d: %w", id, ErrNotListed)
	}
	r, err := v.Store.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	day := s.Listed
	entry, err := v.entryLine(day, EventSealed, id)
	if err != nil {
		return fmt.Errorf("bundle recording %d: %w", id, err)
	}
	// A recording compressed since it was sealed is kept as the converted file:
	// the bundle carries the manifest line that links the two.
	meta := bundleMeta{ID: id, Path: r.Path, SHA256: s.SHA256, Size: s.Size,
		SealedAt: stamp(s.SealedAt), Manifest: day, Entry: sealedEntryOf(s, r)}
	var convEntry []byte
	cv, err := v.Store.ConversionOf(ctx, id)
	if err == nil && cv.ToSHA256 != "" && cv.ToPath == r.Path {
		if cv.Listed == "" {
			return fmt.Errorf("bundle recording %d: it was converted to %s since it was sealed, and the next manifest lists the conversion: %w", id, cv.ToFormat, ErrNotListed)
		}
		if convEntry, err = v.entryLine(cv.Listed, EventConverted, id); err != nil {
			return fmt.Errorf("bundle recording %d: %w", id, err)
		}
		meta.Converted = &bundleConversion{SHA256: cv.ToSHA256, Size: cv.ToSize, Format: string(cv.ToFormat),
			At: stamp(cv.SwitchedAt), Manifest: cv.Listed}
	}
	audio := path.Base(r.Path)
	metaJSON, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	var guide bytes.Buffer
	if err := verifyGuide.Execute(&guide, map[string]any{"ID": id, "Path": r.Path, "Audio": audio, "Day": day,
		"SHA256": s.SHA256, "Fingerprint": Fingerprint(v.Pub), "Exported": stamp(now), "Converted": meta.Converted}); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	z := zip.NewWriter(w)
	add := func(name string, write func(io.Writer) error) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		return write(f)
	}
	copyFile := func(p string) func(io.Writer) error {
		return func(w io.Writer) error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}
	}
	parts := []bundlePart{
		{"VERIFY.txt", bytesWriter(guide.Bytes())},
		{audio, func(w io.Writer) error {
			f, size, err := v.source().Open(ctx, r)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, io.NewSectionReader(f, 0, size))
			return err
		}},
		{"recording.json", bytesWriter(append(metaJSON, '\n'))},
		{"manifest-entry.json", bytesWriter(entry)},
	}
	days := []string{day}
	if meta.Converted != nil {
		parts = append(parts, bundlePart{"manifest-conversion.json", bytesWriter(convEntry)})
		if cv.Listed != day {
			days = append(days, cv.Listed)
		}
	}
	for _, d := range days {
		parts = append(parts, []bundlePart{
			{"manifest/" + d + ".jsonl", copyFile(manifestPath(v.Dir, d))},
			{"manifest/" + d + ".sum", copyFile(sumPath(v.Dir, d))},
			{"manifest/" + d + ".sum.sig", copyFile(sigPath(v.Dir, d))},
		}...)
	}
	parts = append(parts, bundlePart{PublicKeyFile, bytesWriter(PublicPEM(v.Pub))})
	for _, p := range parts {
		if err := add(p.name, p.write); err != nil {
			return fmt.Errorf("bundle recording %d: %s: %w", id, p.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("bundle recording %d: %w", id, err)
	}
	return nil
}

// bundlePart is one file of a bundle.
type bundlePart struct {
	name  string
	write func(io.Writer) error
}

// bundleMeta is recording.json.
type bundleMeta struct {
	ID       int64  `json:"id"`
	Path     string `json:"path"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	SealedAt string `json:"sealed_at"`
	Manifest string `json:"manifest_day"`
	Entry    Entry  `json:"call"`
	// Converted is the compressed file the recording was converted to, and kept
	// as, since it was sealed; nil when it is kept as sealed.
	Converted *bundleConversion `json:"converted,omitempty"`
}

// bundleConversion is recording.json's account of a conversion.
type bundleConversion struct {
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Format   string `json:"format"`
	At       string `json:"at"`
	Manifest string `json:"manifest_day"`
}

func sealedEntryOf(s recordings.Seal, r recordings.Recording) Entry {
	return sealedEntry(recordings.SealedRecording{Seal: s, Rec: r})
}

// entryLine returns the line of day's manifest that lists event for id, with
// its newline, byte for byte.
func (v *Verifier) entryLine(day, event string, id int64) ([]byte, error) {
	f, err := os.Open(manifestPath(v.Dir, day))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Event == event && e.ID == id {
			return append(bytes.Clone(sc.Bytes()), '\n'), nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("the manifest of %s does not list it: %w", day, ErrNotListed)
}

var verifyGuide = template.Must(template.New("VERIFY.txt").Parse(
	`Chain-of-custody bundle of recording {{.ID}} ({{.Path}}), exported {{.Exported}}.

WHAT IS HERE
  {{.Audio}}
{{- if .Converted}}
      the recording as it is kept: converted to {{.Converted.Format}} on {{.Converted.At}}
      from the original that was sealed (see step 6)
{{- else}}
      the recording, byte for byte as it was sealed
{{- end}}
  recording.json
      the recording's seal and its call's metadata
  manifest-entry.json
      the line of the day's manifest that lists the recording
  manifest/{{.Day}}.jsonl
      the manifest of {{.Day}} (UTC): every recording sealed that day and every
      sealed recording deleted that day; its first line names the SHA-256 of the
      previous day's manifest, so the days form a chain
  manifest/{{.Day}}.sum
      the manifest's SHA-256, in the format of sha256sum
  manifest/{{.Day}}.sum.sig
      the Ed25519 signature of {{.Day}}.sum, 64 bytes
  manifest-key.pub.pem
      the public key that signed it, fingerprint {{.Fingerprint}}

HOW TO CHECK IT (a shell with sha256sum and OpenSSL 3)
  1. The key is the PBX's own: compare manifest-key.pub.pem with the public key
     the operator published (totalrec verify --pubkey prints it; the Totalrec
     web interface shows it on its Evidence page).
  2. The manifest's checksum is signed by that key:
       openssl pkeyutl -verify -pubin -inkey manifest-key.pub.pem -rawin \
         -in manifest/{{.Day}}.sum -sigfile manifest/{{.Day}}.sum.sig
     prints "Signature Verified Successfully".
  3. The manifest is the one the checksum names:
       (cd manifest && sha256sum -c {{.Day}}.sum)
     prints "{{.Day}}.jsonl: OK".
  4. The manifest lists the recording:
       grep -c -F -x -f manifest-entry.json manifest/{{.Day}}.jsonl
     prints 1.
{{- if .Converted}}
  5. Steps 2 and 3 again for manifest/{{.Converted.Manifest}}, then: it lists the conversion,
       grep -c -F -x -f manifest-conversion.json manifest/{{.Converted.Manifest}}.jsonl
     prints 1; its "from_sha256" is {{.SHA256}}, the "sha256" of the sealed entry.
  6. The audio is the file the conversion names:
       sha256sum '{{.Audio}}'
     prints {{.Converted.SHA256}}, the "sha256" of manifest-conversion.json.
{{- else}}
  5. The audio is the file the entry names:
       sha256sum '{{.Audio}}'
     prints {{.SHA256}}, the "sha256" of the entry.
{{- end}}

{{if .Converted -}}
What this shows: the original was sealed on the PBX when the call ended, and the
PBX converted it to the audio here, which is byte for byte the file the signed
conversion line names. What it does not show: that the conversion is faithful
(the PBX decoded and checked it before switching; a listener can compare), or
anything about the file before it was sealed.
{{- else -}}
What this shows: the audio is byte for byte the file that was sealed on the PBX
when the call ended, and the manifest listing it was signed by the key above.
What it does not show: anything about the file before it was sealed.
{{- end}}
`))
