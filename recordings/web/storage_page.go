package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/retention"
)

// Storage configures the storage page.
type Storage struct {
	Node string // this PBX's node in the catalogue; "" on a single box
	// PolicyFile is the retention policy the page explains; "" reads
	// $TOTALREC_RETENTION_POLICY, else retention.DefaultPolicyFile, as the
	// retention command does.
	PolicyFile string
}

// Tuning of the storage page: a snapshot reads every live catalogue row, so it is
// kept storageTTL; the charts show chartDays days and chartMonths months; the
// forecast's ingest rate is the mean of the last ingestDays whole days.
const (
	storageTTL  = 5 * time.Minute
	chartDays   = 60
	chartMonths = 24
	ingestDays  = 14
	storageRuns = 20
)

// storageSnap is one computation of the page's figures.
type storageSnap struct {
	at        time.Time
	byDay     map[string]retention.Count // live recordings by call day, YYYY-MM-DD in the PBX's zone
	live      retention.Count
	disk      retention.Disk
	diskErr   error
	policy    retention.Policy
	noPolicy  bool // no policy file: nothing is deleted
	policyErr error
	plan      retention.Plan
	planErr   error
	refused   string // why a run now would be refused
	runs      []recordings.RetentionRun
	// compressed counts the recordings compressed after the call, with their
	// bytes before and after.
	compressed, before, after int64
	// local and archived count the recordings on disk and in the archive bucket.
	local, archived recordings.ArchiveCount
}

// storageCache keeps the last snapshot; one computation at a time.
type storageCache struct {
	mu   sync.Mutex
	snap *storageSnap
}

// storagePage returns the handler of GET /storage (administrators), sharing the
// cache of its snapshot with GET /api/v1/retention.
func (s *Server) storagePage(cache *storageCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		snap, err := cache.get(c.Request().Context(), s, c.QueryParam("refresh") != "")
		if err != nil {
			return err
		}
		l := langOf(c)
		return c.Render(200, "storage", s.newPage(c, l.T("storage.title"), s.storageView(l, snap)))
	}
}

// get returns the snapshot, computing it when there is none, it is older than
// storageTTL, or refresh asks.
func (cache *storageCache) get(ctx context.Context, s *Server, refresh bool) (*storageSnap, error) {
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.snap == nil || s.now().Sub(cache.snap.at) > storageTTL || refresh {
		snap, err := s.storageSnapshot(ctx)
		if err != nil {
			return nil, err
		}
		cache.snap = snap
	}
	return cache.snap, nil
}

// ingestRate is the mean bytes a day recorded over the last ingestDays whole days.
func (snap *storageSnap) ingestRate(now time.Time) int64 {
	var ingest int64
	for d := 1; d <= ingestDays; d++ {
		ingest += snap.byDay[now.AddDate(0, 0, -d).Format("2006-01-02")].Bytes
	}
	return ingest / ingestDays
}

// policyFile is the policy the page explains.
func (s *Server) policyFile() string {
	switch {
	case s.opts.Storage.PolicyFile != "":
		return s.opts.Storage.PolicyFile
	case os.Getenv("TOTALREC_RETENTION_POLICY") != "":
		return os.Getenv("TOTALREC_RETENTION_POLICY")
	}
	return retention.DefaultPolicyFile
}

// storageSnapshot computes the figures: the plan a run would make now (when a
// policy exists), the live recordings by day, the disk, and the last runs.
func (s *Server) storageSnapshot(ctx context.Context) (*storageSnap, error) {
	now := s.now()
	snap := &storageSnap{at: now, byDay: map[string]retention.Count{}}
	snap.policy, snap.policyErr = retention.LoadFile(s.policyFile())
	if errors.Is(snap.policyErr, fs.ErrNotExist) {
		snap.noPolicy, snap.policyErr = true, nil
	}
	r := &retention.Runner{Store: planStore{s.opts.Catalog}, Node: s.opts.Storage.Node, Loc: s.loc, Policy: snap.policy, Now: now}
	if err := r.List(ctx, retention.Plan{}, func(d retention.Decision) error {
		rec := d.Recording
		day := rec.CallTime.In(s.loc).Format("2006-01-02")
		c := snap.byDay[day]
		c.Files++
		c.Bytes += rec.Size
		snap.byDay[day] = c
		snap.live.Files++
		snap.live.Bytes += rec.Size
		return nil
	}); err != nil {
		return nil, fmt.Errorf("measure the spool: %w", err)
	}
	snap.disk, snap.diskErr = retention.DiskOf(s.opts.Spool.Dir(), snap.live.Bytes)
	r.Disk = snap.disk
	if snap.policyErr == nil && !snap.noPolicy && !snap.policy.Empty() {
		snap.plan, snap.planErr = r.Plan(ctx)
		if err := snap.policy.CheckShare(snap.plan.Summary, false); snap.planErr == nil && err != nil {
			snap.refused = err.Error()
		}
	}
	var err error
	if snap.runs, err = s.opts.Catalog.RetentionRuns(ctx, storageRuns); err != nil {
		return nil, err
	}
	if snap.compressed, snap.before, snap.after, err = s.opts.Catalog.Compressed(ctx, s.opts.Storage.Node); err != nil {
		return nil, err
	}
	if snap.local, snap.archived, err = s.opts.Catalog.ArchiveFigures(ctx, s.opts.Storage.Node); err != nil {
		return nil, err
	}
	return snap, nil
}

// storageView is the page's data.
type storageView struct {
	Spool, Computed  string
	Live             string
	LiveFiles        string
	DiskError        string
	DiskTotal        string
	DiskFree         string
	DiskFreePct      string
	Days, Months     chart
	PolicyLines      []string
	NoPolicy         bool
	PolicyError      string
	PlanError        string
	Refused          string
	PlanFiles        string
	PlanBytes        string
	PlanRules        []ruleRow
	Kept             []ruleRow
	WatermarkShort   bool
	Runs             []runRow
	Rate             string // bytes a day
	ForecastDays     string // "" when no forecast can be made
	ForecastDate     string
	ForecastNoIngest bool
	// Compressed says what compression after the call saved; "" when nothing
	// was compressed.
	Compressed string
	// Archived says how much is on disk and how much in the archive bucket; ""
	// when nothing was archived.
	Archived string
}

type ruleRow struct{ Rule, Files, Bytes string }

type runRow struct {
	Started, Status, Files, Bytes, Failed, Took string
	Rules                                       []ruleRow
	Report                                      string // the stored JSON, indented
}

func (s *Server) storageView(l *lang, snap *storageSnap) storageView {
	now := snap.at.In(s.loc)
	v := storageView{Spool: s.opts.Spool.Dir(), Computed: l.Short(now, now), Live: l.Bytes(snap.live.Bytes),
		LiveFiles: l.Number(int(snap.live.Files)), NoPolicy: snap.noPolicy}
	if snap.diskErr != nil {
		v.DiskError = snap.diskErr.Error()
	} else if snap.disk.Total > 0 {
		v.DiskTotal, v.DiskFree = l.Bytes(snap.disk.Total), l.Bytes(snap.disk.Free)
		v.DiskFreePct = fmt.Sprintf("%.1f", 100*float64(snap.disk.Free)/float64(snap.disk.Total))
	}
	if snap.compressed > 0 {
		v.Compressed = l.F("storage.compressed", l.Number(int(snap.compressed)), l.Bytes(snap.before), l.Bytes(snap.after),
			l.Bytes(snap.before-snap.after))
	}
	if snap.archived.Files > 0 {
		v.Archived = l.F("storage.archived", l.Number(int(snap.local.Files)), l.Bytes(snap.local.Bytes),
			l.Number(int(snap.archived.Files)), l.Bytes(snap.archived.Bytes))
	}
	v.Days, v.Months = dayChart(l, snap.byDay, now), monthChart(l, snap.byDay, now)
	switch {
	case snap.policyErr != nil:
		v.PolicyError = snap.policyErr.Error()
	case !snap.noPolicy:
		for _, line := range strings.Split(strings.TrimRight(snap.policy.String(), "\n"), "\n") {
			v.PolicyLines = append(v.PolicyLines, strings.TrimSpace(line))
		}
	}
	if snap.planErr != nil {
		v.PlanError = snap.planErr.Error()
	}
	sum := snap.plan.Summary
	v.Refused, v.WatermarkShort = snap.refused, snap.plan.WatermarkShort
	v.PlanFiles, v.PlanBytes = l.Number(int(sum.Delete.Files)), l.Bytes(sum.Delete.Bytes)
	v.PlanRules, v.Kept = ruleRows(l, sum.ByRule), ruleRows(l, sum.KeptBy)
	for _, run := range snap.runs {
		row := runRow{Started: l.Short(run.Started.In(s.loc), now), Status: run.Status,
			Files: l.Number(int(run.DeletedFiles)), Bytes: l.Bytes(run.DeletedBytes), Failed: l.Number(int(run.Failed)),
			Took: run.Finished.Sub(run.Started).Round(time.Second).String()}
		var rep retention.Report
		if json.Unmarshal([]byte(run.Report), &rep) == nil {
			row.Rules = ruleRows(l, rep.ByRule)
			if b, err := json.MarshalIndent(rep, "", "  "); err == nil {
				row.Report = string(b)
			}
		}
		v.Runs = append(v.Runs, row)
	}
	// The forecast: free space over the mean ingest of the last whole days.
	rate := snap.ingestRate(now)
	v.Rate = l.Bytes(rate)
	switch {
	case rate == 0:
		v.ForecastNoIngest = true
	case snap.disk.Total > 0:
		days := snap.disk.Free / rate
		v.ForecastDays = l.Number(int(days))
		v.ForecastDate = l.DateInput(now.AddDate(0, 0, int(min(days, 100*365))), false)
	}
	return v
}

func ruleRows(l *lang, m map[string]retention.Count) []ruleRow {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rows := make([]ruleRow, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, ruleRow{Rule: k, Files: l.Number(int(m[k].Files)), Bytes: l.Bytes(m[k].Bytes)})
	}
	return rows
}

// chart is a bar chart drawn as SVG on the server: no script, and nothing inline
// for the content security policy to refuse.
type chart struct {
	Width, Height, Base int // the drawing, and the y of the bars' base line
	Bars                []chartBar
	Ticks               []chartTick
	Top                 string // the value at the top of the scale
	Empty               bool
}

type chartBar struct {
	X, Y, W, H string
	Title      string
}

type chartTick struct {
	X     string
	Label string
}

const (
	chartWidth  = 720
	chartHeight = 184
	chartBase   = 162
	chartTop    = 16 // room for the scale's label above the tallest bar
)

// drawChart lays out one bar per value, labelled every tickEvery bars, in at least
// slots bar widths (a few months do not make a few wide slabs).
func drawChart(l *lang, labels, titles []string, values []int64, tickEvery, slots int) chart {
	ch := chart{Width: chartWidth, Height: chartHeight, Base: chartBase, Empty: true}
	top := int64(0)
	for _, v := range values {
		top = max(top, v)
	}
	if top == 0 {
		return ch
	}
	ch.Empty, ch.Top = false, l.Bytes(top)
	w := float64(chartWidth) / float64(max(len(values), slots))
	px := func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
	for i, v := range values {
		h := float64(chartBase-chartTop) * float64(v) / float64(top)
		ch.Bars = append(ch.Bars, chartBar{X: px(float64(i)*w + 1), Y: px(chartBase - h), W: px(max(w-2, 1)), H: px(h),
			Title: titles[i]})
		if i%tickEvery == 0 {
			ch.Ticks = append(ch.Ticks, chartTick{X: px(float64(i) * w), Label: labels[i]})
		}
	}
	return ch
}

// dayChart draws the bytes of the live recordings of the last chartDays days.
func dayChart(l *lang, byDay map[string]retention.Count, now time.Time) chart {
	var labels, titles []string
	var values []int64
	for d := chartDays - 1; d >= 0; d-- {
		day := now.AddDate(0, 0, -d)
		c := byDay[day.Format("2006-01-02")]
		labels = append(labels, day.Format(l.T("storage.daylabel")))
		titles = append(titles, l.DateInput(day, false)+": "+l.F("storage.bar", l.Number(int(c.Files)), l.Bytes(c.Bytes)))
		values = append(values, c.Bytes)
	}
	return drawChart(l, labels, titles, values, 7, chartDays)
}

// monthChart draws the bytes of the live recordings by month, over the last
// chartMonths months, from the first month that has any.
func monthChart(l *lang, byDay map[string]retention.Count, now time.Time) chart {
	byMonth := map[string]retention.Count{}
	for day, c := range byDay {
		m := byMonth[day[:7]]
		m.Files += c.Files
		m.Bytes += c.Bytes
		byMonth[day[:7]] = m
	}
	var labels, titles []string
	var values []int64
	first := time.Date(now.Year(), now.Month()-chartMonths+1, 1, 0, 0, 0, 0, now.Location())
	for m := first; !m.After(now); m = m.AddDate(0, 1, 0) {
		c := byMonth[m.Format("2006-01")]
		if len(values) == 0 && c.Files == 0 && m.Before(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())) {
			continue
		}
		labels = append(labels, l.Month(m))
		titles = append(titles, l.Month(m)+": "+l.F("storage.bar", l.Number(int(c.Files)), l.Bytes(c.Bytes)))
		values = append(values, c.Bytes)
	}
	return drawChart(l, labels, titles, values, max(1, (len(values)+5)/6), 12)
}
