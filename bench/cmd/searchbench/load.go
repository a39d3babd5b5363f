package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/totalrec/totalrec/bench/internal/callgen"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
)

// cdrDDL is FreePBX 16's asteriskcdrdb.cdr (framework installlib/SQL/cdr.sql plus the
// cdr module's columns) with its default indexes and, like FreePBX's, no primary key.
const cdrDDL = `CREATE TABLE cdr (
	calldate datetime NOT NULL DEFAULT '1000-01-01 00:00:00',
	clid varchar(80) NOT NULL DEFAULT '',
	src varchar(80) NOT NULL DEFAULT '',
	dst varchar(80) NOT NULL DEFAULT '',
	dcontext varchar(80) NOT NULL DEFAULT '',
	channel varchar(80) NOT NULL DEFAULT '',
	dstchannel varchar(80) NOT NULL DEFAULT '',
	lastapp varchar(80) NOT NULL DEFAULT '',
	lastdata varchar(80) NOT NULL DEFAULT '',
	duration int(11) NOT NULL DEFAULT 0,
	billsec int(11) NOT NULL DEFAULT 0,
	disposition varchar(45) NOT NULL DEFAULT '',
	amaflags int(11) NOT NULL DEFAULT 0,
	accountcode varchar(20) NOT NULL DEFAULT '',
	uniqueid varchar(32) NOT NULL DEFAULT '',
	userfield varchar(255) NOT NULL DEFAULT '',
	did varchar(50) NOT NULL DEFAULT '',
	recordingfile varchar(255) NOT NULL DEFAULT '',
	cnum varchar(80) NOT NULL DEFAULT '',
	cnam varchar(80) NOT NULL DEFAULT '',
	outbound_cnum varchar(80) NOT NULL DEFAULT '',
	outbound_cnam varchar(80) NOT NULL DEFAULT '',
	dst_cnam varchar(80) NOT NULL DEFAULT '',
	linkedid varchar(32) NOT NULL DEFAULT '',
	peeraccount varchar(80) NOT NULL DEFAULT '',
	sequence int(11) NOT NULL DEFAULT 0,
	KEY calldate (calldate),
	KEY dst (dst),
	KEY accountcode (accountcode),
	KEY uniqueid (uniqueid),
	KEY did (did),
	KEY recordingfile (recordingfile)
) ENGINE=InnoDB DEFAULT CHARSET=utf8`

const recordingLoadCols = `id, node, storage, path, dir, size, mtime, format, duration_ms, state,
	name_type, name_dest, name_from, name_time, uniqueid, linkedid, call_time, direction,
	cdr_status, cdr_attempts, next_cdr_at, cdr_calldate, cdr_src, cdr_dst, cdr_cnum, cdr_cnam,
	cdr_did, cdr_channel, cdr_dstchannel, cdr_lastapp, cdr_disposition, cdr_duration,
	cdr_billsec, cdr_uniqueid, cdr_accountcode, cdr_recordingfile, held, deleted_at,
	deleted_reason, created_at, updated_at`

const cdrLoadCols = `calldate, clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata,
	duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, did,
	recordingfile, cnum, cnam, outbound_cnum, outbound_cnam, dst_cnam, linkedid, peeraccount, sequence`

// nodeCount is how many PBXs the recordings are spread over (-nodes): call i is
// node nodeOf(i)'s. With one, every row is the single PBX's (node "").
var nodeCount = 1

func nodeOf(i int64) string {
	if nodeCount <= 1 {
		return ""
	}
	return fmt.Sprintf("pbx%02d", i%int64(nodeCount))
}

// rowWriter renders one call's rows of a table as tab-separated lines.
type rowWriter func(w *bufio.Writer, c callgen.Call)

const micro = "2006-01-02 15:04:05.000000"

// bytesPerSecond sizes a recording of each format (the header aside).
var bytesPerSecond = map[string]int64{"wav": 16000, "WAV": 1625, "gsm": 1650, "ulaw": 8000}
var headerBytes = map[string]int64{"wav": 44, "WAV": 60}

// recordingState is the state of a call's recording: empty when nobody answered.
func recordingState(c callgen.Call) recordings.State {
	if c.Empty {
		return recordings.StateEmpty
	}
	return recordings.StateOK
}

func writeRecording(w *bufio.Writer, c callgen.Call) {
	secs := int64(c.RecordingSeconds())
	size := headerBytes[c.Format] + secs*bytesPerSecond[c.Format]
	state := recordingState(c)
	if state == recordings.StateEmpty {
		size = 44
	}
	t := c.Time.Format(micro)
	end := c.Time.Add(time.Duration(c.Duration) * time.Second).Format(micro)
	dir := c.Dir()
	name := recordings.Name{Type: c.Type}
	fields := []string{
		strconv.FormatInt(c.I+1, 10), nodeOf(c.I), "local", dir + "/" + c.FileName(), dir,
		strconv.FormatInt(size, 10), end, string(spool.FormatOf(c.Format)), strconv.FormatInt(secs*1000, 10),
		string(state), c.Type, c.Dest, c.From, t, c.UniqueID, c.LinkedID, t, string(name.Direction()),
		string(recordings.CDRLinked), "1", `\N`, t, c.Src, c.Dst, c.CNum, c.CNam,
		c.DID, c.Channel, c.DstChannel, c.LastApp, c.Disposition, strconv.Itoa(c.Duration),
		strconv.Itoa(c.Billsec), c.UniqueID, "", c.FileName(), "0", `\N`,
		"", end, end,
	}
	writeLine(w, fields)
}

// recordingOf is the catalogue row writeRecording renders, as a Recording.
func recordingOf(c callgen.Call) recordings.Recording {
	secs := int64(c.RecordingSeconds())
	r := recordings.Recording{
		Node: nodeOf(c.I), Storage: "local", Path: c.Dir() + "/" + c.FileName(),
		Size: headerBytes[c.Format] + secs*bytesPerSecond[c.Format], Format: spool.FormatOf(c.Format),
		Duration: time.Duration(secs) * time.Second, State: recordingState(c),
		Name:     recordings.Name{Type: c.Type, Dest: c.Dest, From: c.From, Time: c.Time, UniqueID: c.UniqueID},
		LinkedID: c.LinkedID, CallTime: c.Time, CDRStatus: recordings.CDRLinked, CDRAttempts: 1,
		CDR: recordings.CDR{CallDate: c.Time, Src: c.Src, Dst: c.Dst, CNum: c.CNum, CNam: c.CNam, DID: c.DID,
			Channel: c.Channel, DstChannel: c.DstChannel, LastApp: c.LastApp, Disposition: c.Disposition,
			Duration: c.Duration, Billsec: c.Billsec, UniqueID: c.UniqueID, LinkedID: c.LinkedID, RecordingFile: c.FileName()},
	}
	r.ModTime = c.Time.Add(time.Duration(c.Duration) * time.Second)
	r.Direction = r.Name.Direction()
	if r.State == recordings.StateEmpty {
		r.Size = 44
	}
	return r
}

func writeCDR(w *bufio.Writer, c callgen.Call) {
	rec := c.FileName()
	lastdata := c.DstChannel
	writeLine(w, []string{
		c.Time.Format(time.DateTime), `"` + c.CNam + `" <` + c.CNum + `>`, c.Src, c.Dst, c.DContext,
		c.Channel, c.DstChannel, c.LastApp, lastdata, strconv.Itoa(c.Duration), strconv.Itoa(c.Billsec),
		c.Disposition, "3", "", c.UniqueID, "", c.DID, rec, c.CNum, c.CNam, "", "", "", c.LinkedID, "", "0",
	})
}

func writeLine(w *bufio.Writer, fields []string) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(f)
	}
	w.WriteByte('\n')
}

// loadTable streams the rows that produce writes into table with LOAD DATA LOCAL
// INFILE, generated on the fly, on a connection with unique and foreign key checks
// off so that InnoDB can take its bulk path into an empty table.
func loadTable(ctx context.Context, db *sql.DB, table, cols string, produce func(*bufio.Writer)) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range []string{"SET SESSION unique_checks=0", "SET SESSION foreign_key_checks=0", "SET SESSION time_zone='+00:00'"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	name := table
	mysql.RegisterReaderHandler(name, func() io.Reader {
		pr, pw := io.Pipe()
		go func() {
			bw := bufio.NewWriterSize(pw, 1<<20)
			produce(bw)
			pw.CloseWithError(bw.Flush())
		}()
		return pr
	})
	defer mysql.DeregisterReaderHandler(name)
	q := `LOAD DATA LOCAL INFILE 'Reader::` + name + `' INTO TABLE ` + table +
		` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' (` +
		strings.Join(strings.Fields(cols), " ") + `)`
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	return nil
}
