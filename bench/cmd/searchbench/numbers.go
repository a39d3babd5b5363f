package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/totalrec/totalrec/bench/internal/callgen"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// numberRow is one totalrec_numbers row, packed: the generated keys have at most
// 12 digits, and call times are seconds from the model's start.
type numberRow struct {
	key      [12]byte
	n        uint8
	presence uint8
	sec      uint32
	id       uint32
}

// sortedNumbers draws every call's number keys and sorts them in the table's
// primary-key order (num_rev, call_time, recording_id), so that InnoDB appends to
// its clustered index instead of splitting pages all over it: in call order the
// load of 25 M keys into a buffer pool of 128 MB is dominated by random page reads.
func sortedNumbers(m callgen.Model) ([]numberRow, error) {
	rows := make([]numberRow, 0, m.N*5/2+m.N/10)
	start := m.Start()
	for i := int64(0); i < m.N; i++ {
		c := m.Call(i)
		sec := uint32(c.Time.Sub(start) / time.Second)
		presence := uint8(catalog.KeyPresence(recordingState(c)))
		for _, k := range catalog.NumberKeys(c.Dest, c.From, c.Src, c.Dst, c.CNum, c.DID) {
			if len(k) > 12 {
				return nil, fmt.Errorf("call %d: number key %q longer than 12 digits", i, k)
			}
			r := numberRow{n: uint8(len(k)), presence: presence, sec: sec, id: uint32(i + 1)}
			copy(r.key[:], k)
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b numberRow) int {
		if c := bytes.Compare(a.key[:a.n], b.key[:b.n]); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.sec, b.sec), cmp.Compare(a.id, b.id))
	})
	return rows, nil
}

// writeSortedNumbers renders rows as totalrec_numbers lines.
func writeSortedNumbers(w *bufio.Writer, m callgen.Model, rows []numberRow) {
	start := m.Start()
	for _, r := range rows {
		w.Write(r.key[:r.n])
		w.WriteByte('\t')
		w.WriteString(start.Add(time.Duration(r.sec) * time.Second).Format(micro))
		w.WriteByte('\t')
		w.WriteString(strconv.FormatUint(uint64(r.id), 10))
		w.WriteByte('\t')
		w.WriteString(strconv.FormatUint(uint64(r.presence), 10))
		w.WriteByte('\t')
		w.WriteString(nodeOf(int64(r.id) - 1))
		w.WriteByte('\n')
	}
}
