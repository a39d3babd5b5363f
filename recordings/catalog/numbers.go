package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/totalrec/totalrec/recordings"
)

// Number matching; the package documentation states the rules.
const (
	// MinNumberDigits is the fewest digits a Number filter may hold.
	MinNumberDigits = 3
	// SignificantDigits is how many trailing digits of a long Number are matched.
	SignificantDigits = 10
	// maxNumberDigits caps a stored number (its last digits are kept) and an Ext filter.
	maxNumberDigits = 32
)

// digitsOf keeps the ASCII digits of s.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// reverse reverses an ASCII string.
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// NumberKeys returns the distinct keys stored in totalrec_numbers for a recording's
// numbers (name dest and from, CDR src, dst, cnum, did): digits only, reversed, at
// most the number's last maxNumberDigits. Bulk loaders use it to write the keys the
// catalogue would.
func NumberKeys(fields ...string) []string {
	var keys []string
	for _, f := range fields {
		d := digitsOf(f)
		if d == "" {
			continue
		}
		if len(d) > maxNumberDigits {
			d = d[len(d)-maxNumberDigits:]
		}
		k := reverse(d)
		dup := false
		for _, have := range keys {
			dup = dup || have == k
		}
		if !dup {
			keys = append(keys, k)
		}
	}
	return keys
}

// NumberSuffix returns the digits a Number filter matches at the end of a number, or
// an ErrInvalid error when it holds fewer than MinNumberDigits digits.
func NumberSuffix(number string) (string, error) {
	d := digitsOf(number)
	switch {
	case len(d) < MinNumberDigits:
		return "", recordings.Invalidf("number", "%q has fewer than %d digits", clip(number, 40), MinNumberDigits)
	case len(d) > SignificantDigits:
		return d[len(d)-SignificantDigits:], nil
	case len(d) == SignificantDigits && d[0] == '0':
		return d[1:], nil
	}
	return d, nil
}

// extKey returns the stored key an Ext filter matches exactly.
func extKey(ext string) (string, error) {
	d := digitsOf(ext)
	if d == "" || len(d) > maxNumberDigits {
		return "", recordings.Invalidf("ext", "%q is not 1 to %d digits", clip(ext, 40), maxNumberDigits)
	}
	return reverse(d), nil
}

// numberSource is what a recording's number keys are made of.
type numberSource struct {
	id       int64
	node     string
	callTime nullTime
	state    string
	fields   [6]string // name_dest, name_from, cdr_src, cdr_dst, cdr_cnum, cdr_did
}

// numberSourceCols is the SELECT list scanned into a numberSource.
const numberSourceCols = `id, node, call_time, state, name_dest, name_from, cdr_src, cdr_dst, cdr_cnum, cdr_did`

func scanNumberSource(s scanner) (numberSource, error) {
	var n numberSource
	err := s.Scan(&n.id, &n.node, &n.callTime, &n.state, &n.fields[0], &n.fields[1], &n.fields[2], &n.fields[3],
		&n.fields[4], &n.fields[5])
	return n, err
}

// A number key's presence mirrors its recording's state in the three classes a
// search tells apart, so that a search by number can count its matches from the
// keys alone: every statement that changes a recording's state also sets its keys'
// presence (writeNumbers, MarkMissing, MarkDeleted, SettleDeletions), except that
// on SQLite retention's deletions leave it to SweepKeys (key_sweep.go).
const (
	presenceGone  = 0 // missing or deleted
	presenceAudio = 1 // ok, writing or corrupt: shown by every search
	presenceEmpty = 2 // empty: shown unless empty recordings are hidden
)

// KeyPresence is the presence stored with the number keys of a recording in
// state. Bulk loaders use it to write what the catalogue would.
func KeyPresence(state recordings.State) int {
	switch state {
	case recordings.StateOK, recordings.StateWriting, recordings.StateCorrupt:
		return presenceAudio
	case recordings.StateEmpty:
		return presenceEmpty
	}
	return presenceGone
}

// presenceSQL is KeyPresence in SQL, over the column state.
const presenceSQL = `CASE WHEN state IN ('ok', 'writing', 'corrupt') THEN 1 WHEN state = 'empty' THEN 2 ELSE 0 END`

// numberCols is how many values a number key's row takes.
const numberCols = 5

// numberRowsPerInsert keeps a multi-row INSERT of numbers well under the placeholder limits.
const numberRowsPerInsert = 500

// writeNumbers replaces the number keys of the given recordings. The keys carry the
// recording's call time: every change of call_time goes through here.
func (c *Catalog) writeNumbers(ctx context.Context, tx *sql.Tx, srcs []numberSource) error {
	if len(srcs) == 0 {
		return nil
	}
	ids := make([]any, len(srcs))
	for i, s := range srcs {
		ids[i] = s.id
	}
	for start := 0; start < len(ids); start += numberRowsPerInsert {
		part := ids[start:min(start+numberRowsPerInsert, len(ids))]
		_, err := c.shaped(tx, recurring(len(part), upsertRows)).ExecContext(ctx,
			`DELETE FROM totalrec_numbers WHERE recording_id IN `+placeholders(1, len(part)), part...)
		if err != nil {
			return fmt.Errorf("delete numbers: %w", err)
		}
	}
	var args []any
	for _, s := range srcs {
		for _, k := range NumberKeys(s.fields[:]...) {
			args = append(args, k, c.timeArg(s.callTime.T), s.id, KeyPresence(recordings.State(s.state)), s.node)
		}
	}
	// Full statements of numberRowsPerInsert keys, prepared once; the rest in one more.
	for len(args) > 0 {
		part := args[:min(len(args), numberCols*numberRowsPerInsert)]
		args = args[len(part):]
		_, err := c.shaped(tx, recurring(len(part)/numberCols, numberRowsPerInsert)).ExecContext(ctx,
			`INSERT INTO totalrec_numbers (num_rev, call_time, recording_id, presence, node) VALUES `+placeholders(len(part)/numberCols, numberCols),
			part...)
		if err != nil {
			return fmt.Errorf("insert numbers: %w", err)
		}
	}
	return nil
}
