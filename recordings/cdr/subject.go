package cdr

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// numberColumns hold a number alone; textColumns may hold one among other text:
// the caller ID ("Name" <89161234567>), the channels and the dial string
// (PJSIP/89161234567@trunk), the recording's file name (in-100-89161234567-…).
// nameColumns carry a party's name, and are emptied in the rows where a number
// matched.
var (
	numberColumns = [...]string{"src", "dst", "cnum", "did", "outbound_cnum", "dnid"}
	textColumns   = [...]string{"clid", "channel", "dstchannel", "lastdata", "recordingfile"}
	nameColumns   = [...]string{"cnam", "outbound_cnam", "dst_cnam"}
)

// numberEnds are what may follow a number inside text: the ends of a caller ID,
// a channel's peer, a dial string's options, a file name's field.
var numberEnds = [...]string{">", "@", "-", "/", "\"", ",", ";"}

// minSubjectDigits is the fewest digits a subject's number may have here: with
// fewer, a number could be the time or the date in a file name.
const minSubjectDigits = 9

// columnMatch is the condition "column c holds a number ending in digits": the
// whole value for a number column, a number ended by the value's end or by one of
// numberEnds in text. A number is matched on its end, as the catalogue matches
// it (catalog.NumberSuffix); digits inside a longer run of digits never match.
func columnMatch(c, digits string) (string, []any) {
	if slices.Contains(numberColumns[:], c) {
		return quote(c) + " LIKE ?", []any{"%" + digits}
	}
	ors, args := []string{quote(c) + " LIKE ?"}, []any{"%" + digits}
	for _, end := range numberEnds {
		ors, args = append(ors, quote(c)+" LIKE ?"), append(args, "%"+digits+end+"%")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// partyWhere is the condition "some party column holds the number", with its args.
func (r *Reader) partyWhere(digits string) (string, []any, error) {
	if len(digits) < minSubjectDigits || strings.Trim(digits, "0123456789") != "" {
		return "", nil, fmt.Errorf("cdr rows of a number: %q is not %d digits or more: %w", digits, minSubjectDigits, recordings.ErrInvalid)
	}
	var (
		ors  []string
		args []any
	)
	for _, c := range r.partyColumns() {
		cond, a := columnMatch(c, digits)
		ors, args = append(ors, cond), append(args, a...)
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// partyColumns are the number and text columns the table has.
func (r *Reader) partyColumns() []string {
	var out []string
	for _, c := range append(numberColumns[:], textColumns[:]...) {
		if r.has[c] {
			out = append(out, c)
		}
	}
	return out
}

// RowsWithNumber returns every CDR row a party of which had a number ending in
// digits (a number's last digits, as catalog.NumberSuffix makes them), in any
// column that carries one. It reads the whole table: a data subject's request is
// rare, and no index serves "ends with".
func (r *Reader) RowsWithNumber(ctx context.Context, digits string) ([]recordings.CDR, error) {
	where, args, err := r.partyWhere(digits)
	if err != nil {
		return nil, err
	}
	rows, err := sqlrows.All(ctx, r.db, r.scanLeg, fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s",
		r.selectList, quote(r.table), where, quote("calldate")), args...)
	if err != nil {
		return nil, fmt.Errorf("cdr rows of a number: %w", err)
	}
	return rows, nil
}

// BlankNumber erases a party from the CDR table: in every row where a column
// carries a number containing digits, the names are emptied, and then every
// column that carries it. The rows of the calls in keep (uniqueids or linkedids:
// calls on legal hold) are left whole. It returns how many rows it changed. Running it twice
// changes nothing the second time, and says 0. Besides CreateIndex, RenameRecordingFile and
// ClearRecordingFiles, this is the only method that writes; only an erasure with
// its CDR flag calls it.
func (r *Reader) BlankNumber(ctx context.Context, digits string, keep []string) (int64, error) {
	where, args, err := r.partyWhere(digits)
	if err != nil {
		return 0, err
	}
	// kept is the condition that leaves the held calls' rows alone.
	kept, keptArgs := "", []any(nil)
	if len(keep) > 0 {
		in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(keep)), ", ") + ")"
		kept = " AND " + quote("uniqueid") + " NOT IN " + in
		if r.has["linkedid"] {
			kept += " AND " + quote("linkedid") + " NOT IN " + in
		}
		for range 2 {
			for _, k := range keep {
				keptArgs = append(keptArgs, k)
			}
		}
		if !r.has["linkedid"] {
			keptArgs = keptArgs[:len(keep)]
		}
	}
	where += kept
	args = append(args, keptArgs...)
	var sets []string
	for _, c := range nameColumns {
		if r.has[c] {
			sets = append(sets, quote(c)+" = ''")
		}
	}
	var changed int64
	if err := r.db.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s", quote(r.table), where), args...).Scan(&changed); err != nil {
		return 0, fmt.Errorf("erase a number from the cdr table: %w", err)
	}
	exec := func(q string, args ...any) error {
		if _, err := r.db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("erase a number from the cdr table: %w", err)
		}
		return nil
	}
	if len(sets) > 0 {
		if err := exec(fmt.Sprintf("UPDATE %s SET %s WHERE %s", quote(r.table), strings.Join(sets, ", "), where), args...); err != nil {
			return 0, err
		}
	}
	for _, c := range r.partyColumns() {
		cond, colArgs := columnMatch(c, digits)
		if err := exec(fmt.Sprintf("UPDATE %s SET %s = '' WHERE %s%s", quote(r.table), quote(c), cond, kept), append(colArgs, keptArgs...)...); err != nil {
			return 0, err
		}
	}
	return changed, nil
}
