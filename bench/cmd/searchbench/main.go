// Command searchbench measures catalogue search on MariaDB against FreePBX's CDR
// report on the same calls. It fills a fresh database with -rows recordings
// (totalrec_recordings and totalrec_numbers, created by catalog.Open's migrations)
// and as many rows in a FreePBX 16 cdr table with FreePBX's default indexes, all
// drawn by bench/internal/callgen, then times six typical searches through
// catalog.Search and the same questions in the shape FreePBX's CDR report and
// playback lookup ask them, and prints one line per query with p50, p95 and ratios.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/totalrec/totalrec/bench/internal/callgen"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

type options struct {
	dsn            string
	rows           int64
	days           int
	end            time.Time
	runs, warmup   int
	baselineBudget time.Duration
	skipLoad       bool
	explain        bool
	sqlite         string        // catalogue file: the catalogue alone, on SQLite
	clients        int           // concurrent clients for the concurrency figure; 0: none
	clientsFor     time.Duration // how long each concurrency run lasts
	oneFor         time.Duration // how long the one-client run lasts; 0: clientsFor
}

func main() {
	var o options
	end := flag.String("end", "2026-07-01", "the day after the last day of calls (UTC)")
	flag.StringVar(&o.dsn, "dsn", "", "MariaDB DSN naming an empty database (benchdb create)")
	flag.Int64Var(&o.rows, "rows", 10000000, "recordings, and CDR rows")
	flag.IntVar(&o.days, "days", 365, "days the calls spread over")
	flag.IntVar(&o.runs, "runs", 50, "timed runs of each query")
	flag.IntVar(&o.warmup, "warmup", 3, "untimed runs before them")
	flag.DurationVar(&o.baselineBudget, "baseline-budget", 60*time.Second, "stop timing a FreePBX query after this long (at least 3 runs, unless the warm-up alone took longer)")
	flag.BoolVar(&o.skipLoad, "skip-load", false, "reuse the data already in the database")
	flag.BoolVar(&o.explain, "explain", false, "print EXPLAIN of the FreePBX queries")
	flag.IntVar(&nodeCount, "nodes", 1, "spread the recordings over this many PBXs sharing the catalogue; above 1 there is no FreePBX side (each PBX has its own cdr table) and each question is timed over every node and for one node")
	flag.StringVar(&o.sqlite, "sqlite", "", "instead of -dsn: an SQLite catalogue file, filled through catalog.Upsert; no FreePBX side, only the concurrency figure")
	flag.IntVar(&o.clients, "clients", 0, "also time questions 1-6 from this many concurrent clients against one client")
	flag.DurationVar(&o.clientsFor, "clients-for", 20*time.Second, "length of each concurrency run")
	flag.DurationVar(&o.oneFor, "one-client-for", 0, "length of the one-client run, when it should differ (bench/hook/run: the load, not the figure)")
	flag.Parse()
	var err error
	if o.end, err = time.Parse("2006-01-02", *end); err != nil || (o.dsn == "") == (o.sqlite == "") || o.rows < 1000 ||
		(o.sqlite != "" && o.clients < 1) {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	m := callgen.Model{N: o.rows, Days: o.days, End: o.end, Seed: 1}
	if o.sqlite != "" {
		return runSQLite(ctx, o, m)
	}
	cat, err := catalog.Open(ctx, o.dsn, nil)
	if err != nil {
		return err
	}
	defer cat.Close()
	cfg, err := mysql.ParseDSN(o.dsn)
	if err != nil {
		return err
	}
	cfg.ParseTime, cfg.Loc = true, time.UTC
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	if !o.skipLoad {
		if err := load(ctx, db, m); err != nil {
			return err
		}
	}
	if nodeCount > 1 {
		return measureNodes(ctx, o, m, cat)
	}
	if err := measure(ctx, o, m, cat, db); err != nil {
		return err
	}
	if o.clients > 0 {
		return concurrency(ctx, cat, m, o.clients, o.clientsFor, o.oneFor)
	}
	return nil
}

// runSQLite fills an SQLite catalogue through catalog.Upsert, as a scan would,
// and measures concurrent search on it.
func runSQLite(ctx context.Context, o options, m callgen.Model) error {
	cat, err := catalog.Open(ctx, "sqlite:"+o.sqlite, nil)
	if err != nil {
		return err
	}
	defer cat.Close()
	if !o.skipLoad {
		start := time.Now()
		const batch = 2000
		recs := make([]recordings.Recording, 0, batch)
		for i := int64(0); i < m.N; i++ {
			recs = append(recs, recordingOf(m.Call(i)))
			if len(recs) == batch || i == m.N-1 {
				if _, _, err := cat.Upsert(ctx, recs); err != nil {
					return fmt.Errorf("load: %w", err)
				}
				recs = recs[:0]
			}
		}
		fmt.Printf("C load: %d recordings into SQLite through catalog.Upsert in %.1f s\n", m.N, time.Since(start).Seconds())
	}
	return concurrency(ctx, cat, m, o.clients, o.clientsFor, o.oneFor)
}

var catalogTables = []string{"totalrec_recordings", "totalrec_numbers"}

// load fills the three tables and checks that the catalogue's indexes are still
// exactly the ones its migrations created.
func load(ctx context.Context, db *sql.DB, m callgen.Model) error {
	before, err := showIndexes(ctx, db, catalogTables)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, cdrDDL); err != nil {
		return fmt.Errorf("create cdr: %w", err)
	}
	start := time.Now()
	keys, err := sortedNumbers(m)
	if err != nil {
		return err
	}
	calls := func(write rowWriter) func(*bufio.Writer) {
		return func(w *bufio.Writer) {
			for i := int64(0); i < m.N; i++ {
				write(w, m.Call(i))
			}
		}
	}
	loads := []struct {
		table, cols string
		produce     func(*bufio.Writer)
	}{
		{"totalrec_recordings", recordingLoadCols, calls(writeRecording)},
		{"totalrec_numbers", "num_rev, call_time, recording_id, presence, node", func(w *bufio.Writer) { writeSortedNumbers(w, m, keys) }},
		{"cdr", cdrLoadCols, calls(writeCDR)},
	}
	if nodeCount > 1 {
		loads = loads[:2] // no FreePBX side: each PBX has its own cdr table
	}
	errs := make(chan error, len(loads))
	for _, l := range loads {
		go func() { errs <- loadTable(ctx, db, l.table, l.cols, l.produce) }()
	}
	var loadErr error
	for range loads {
		loadErr = errors.Join(loadErr, <-errs)
	}
	if loadErr != nil {
		return loadErr
	}
	loaded := time.Since(start)
	for _, t := range []string{"totalrec_recordings", "totalrec_numbers", "cdr"} {
		if _, err := db.ExecContext(ctx, "ANALYZE TABLE "+t); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	after, err := showIndexes(ctx, db, catalogTables)
	if err != nil {
		return err
	}
	if before != after {
		return fmt.Errorf("catalogue indexes differ from the migrations' after loading:\n%s\nvs\n%s", before, after)
	}
	var recs, nums, cdrs int64
	err = db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM totalrec_recordings),
		(SELECT COUNT(*) FROM totalrec_numbers), (SELECT COUNT(*) FROM cdr)`).Scan(&recs, &nums, &cdrs)
	if err != nil {
		return err
	}
	wantCDR := m.N
	if nodeCount > 1 {
		wantCDR = 0
	}
	if recs != m.N || cdrs != wantCDR {
		return fmt.Errorf("loaded %d recordings and %d CDR rows, want %d", recs, cdrs, m.N)
	}
	var mb float64
	err = db.QueryRowContext(ctx, `SELECT SUM(data_length + index_length) / 1048576 FROM information_schema.tables
		WHERE table_schema = DATABASE()`).Scan(&mb)
	if err != nil {
		return err
	}
	fmt.Printf("B load: %d recordings, %d numbers, %d CDR rows in %.1f s (+ANALYZE %.1f s); %.0f MB on disk; catalogue indexes identical to the migrations'\n",
		recs, nums, cdrs, loaded.Seconds(), (time.Since(start) - loaded).Seconds(), mb)
	return nil
}

// showIndexes is SHOW INDEX of tables without the statistics columns.
func showIndexes(ctx context.Context, db *sql.DB, tables []string) (string, error) {
	var b strings.Builder
	for _, t := range tables {
		rows, err := db.QueryContext(ctx, `SELECT index_name, non_unique, seq_in_index, column_name,
			COALESCE(sub_part, 0), index_type FROM information_schema.statistics
			WHERE table_schema = DATABASE() AND table_name = ? ORDER BY index_name, seq_in_index`, t)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var name, col, typ string
			var nonUnique, seq, sub int
			if err := rows.Scan(&name, &nonUnique, &seq, &col, &sub, &typ); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(&b, "%s %s %d %d %s %d %s\n", t, name, nonUnique, seq, col, sub, typ)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}
