package cdr

import (
	"context"
	"fmt"
	"strings"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// partyColumns are the CDR columns that may carry a party's number: the numbers
// themselves, the caller ID ("Name" <number>), the channels and the dial string
// (PJSIP/89161234567@trunk), and the recording's file name. nameColumns carry a
// party's name, and are emptied in the rows where a number matched.
var (
	partyColumns = [...]string{"src", "dst", "cnum", "did", "clid", "outbound_cnum", "dnid", "channel", "dstchannel", "lastdata", "recordingfile"}
	nameColumns  = [...]string{"cnam", "outbound_cnam", "dst_cnam"}
)

// minSubjectDigits is the fewest digits a subject's number may have here: fewer
// would match extensions and short codes inside every dial string.
const minSubjectDigits = 6

// partyWhere is the condition "some party column contains digits", with its args.
func (r *Reader) partyWhere(digits string) (string, []any, error) {
	if len(digits) < minSubjectDigits || strings.Trim(digits, "0123456789") != "" {
		return "", nil, fmt.Errorf("cdr rows of a number: %q is not %d digits or more: %w", digits, minSubjectDigits, recordings.ErrInvalid)
	}
	var (
		ors  []string
		args []any
	)
	for _, c := range partyColumns {
		if r.has[c] {
			ors, args = append(ors, quote(c)+" LIKE ?"), append(args, "%"+digits+"%")
		}
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// RowsWithNumber returns every CDR row a party of which had a number containing
// digits (a number's last digits, as catalog.NumberSuffix makes them), in any
// column that carries one. It reads the whole table: a data subject's request is
// rare, and no index serves "contains".
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
	for _, c := range partyColumns {
		if !r.has[c] {
			continue
		}
		colArgs := append([]any{"%" + digits + "%"}, keptArgs...)
		if err := exec(fmt.Sprintf("UPDATE %s SET %s = '' WHERE %s LIKE ?%s", quote(r.table), quote(c), quote(c), kept), colArgs...); err != nil {
			return 0, err
		}
	}
	return changed, nil
}
