package web

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// csvWriter is how every CSV the product writes is written: each cell of each
// row, header included, goes through cell, so that no column can be left out
// by accident.
type csvWriter struct {
	w *csv.Writer
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

// Write writes one row; an error sticks and Flush reports it.
func (w *csvWriter) Write(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = cell(c)
	}
	_ = w.w.Write(row)
}

// Flush writes out what is buffered and returns the first error of any write.
func (w *csvWriter) Flush() error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// plainNumber is a cell a spreadsheet reads as a number, not a formula: an
// optional sign and digits, with at most one decimal point. A phone number
// such as +79161234567 is one, and stays readable as it is.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// cell defuses text a spreadsheet would evaluate: a cell starting (after any
// spaces) with =, +, -, or @, or starting with a tab, CR or LF, gets a leading
// apostrophe, which makes it text. "+2+cmd|' /C calc'!A0" and
// "-1+HYPERLINK(…)" are formulas although a digit follows the sign; only a
// plain number is left alone.
func cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '\t', '\r', '\n':
		return "'" + s
	}
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '@':
		return "'" + s
	case '+', '-':
		if !plainNumber.MatchString(s) {
			return "'" + s
		}
	}
	return s
}
