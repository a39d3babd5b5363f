package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
)

type searchOptions struct {
	since, until   string
	number, ext    string
	types          []string
	direction      string
	minDur, maxDur string
	disposition    string
	format         string
	hideEmpty      bool
	deleted        bool
	linkedID       string
	recordedBy     string
	node           string
	sort           string
	limit          int
	after          string
	json           bool
}

func newSearchCommand(opts *globalOptions) *cobra.Command {
	var so searchOptions
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Search the catalogue",
		Long: `search lists recordings that match every filter given, newest first. With no
filter it lists every recording, up to --limit. Times are in the PBX's time zone:
2026-11-26, "2026-11-26 10:15", today, yesterday, or an age such as 7d or 12h.
--number matches the end of any number of the call (caller, callee, caller ID,
DID): type the last digits or the whole number with or without its prefix.`,
		Example: `  totalrec search --since 7d --number 4951234567
  totalrec search --ext 101 --type in --min-duration 60 --json
  totalrec search --since 2026-11-01 --until 2026-12-01 --disposition "NO ANSWER"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSearch(cmd.Context(), opts, so)
		},
	}
	f := cmd.Flags()
	f.StringVar(&so.since, "since", "", "calls from this time on")
	f.StringVar(&so.until, "until", "", "calls before this time")
	f.StringVar(&so.number, "number", "", "a phone number or its last digits")
	f.StringVar(&so.ext, "ext", "", "an extension (exact)")
	f.StringSliceVar(&so.types, "type", nil, "recording types: in, out, internal, external, exten, q, rg, force, generic, parked, ondemand, conf, page, meetme, auto, other (repeat or comma-separate)")
	f.StringVar(&so.direction, "direction", "", "in, out or internal")
	f.StringVar(&so.minDur, "min-duration", "", "at least this long: 90, 1:30 or 1m30s")
	f.StringVar(&so.maxDur, "max-duration", "", "at most this long")
	f.StringVar(&so.disposition, "disposition", "", "ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION")
	f.StringVar(&so.format, "format", "", "audio format: wav, wav16, wav49, gsm, ulaw, alaw, sln, sln16, g722, g729, unknown")
	f.BoolVar(&so.hideEmpty, "hide-empty", false, "leave out empty recordings")
	f.BoolVar(&so.deleted, "deleted", false, "include recordings whose file is deleted or missing")
	f.StringVar(&so.linkedID, "linkedid", "", "every recording of one call")
	f.StringVar(&so.recordedBy, "recorded-by", "", "the policy that recorded it: forced, policy, ondemand")
	f.StringVar(&so.node, "node", "", "the PBX that recorded it, when several share the catalogue")
	f.StringVar(&so.sort, "sort", "time_desc", "time_desc, time_asc, duration_desc or duration_asc")
	f.IntVar(&so.limit, "limit", 100, fmt.Sprintf("at most this many recordings (1-%d)", recordings.MaxLimit))
	f.StringVar(&so.after, "after", "", "continue after this cursor (printed at the end of a full page)")
	f.BoolVar(&so.json, "json", false, "print JSON")
	return cmd
}

// query turns the flags into a catalogue query; mistakes are usage errors.
func (so searchOptions) query(now time.Time, loc *time.Location) (recordings.Query, error) {
	q := recordings.Query{
		Number: so.number, Ext: so.ext, Types: lower(so.types), Direction: recordings.Direction(so.direction),
		Disposition: strings.ToUpper(so.disposition), Format: recordings.Format(so.format),
		HideEmpty: so.hideEmpty, WithDeleted: so.deleted, LinkedID: so.linkedID, RecordedBy: so.recordedBy, Node: so.node,
		Sort: recordings.Sort(so.sort), Limit: so.limit, After: so.after,
	}
	var err error
	if so.since != "" {
		if q.Since, err = recordings.ParseWhen(so.since, now, loc); err != nil {
			return q, usagef("--since: %w", err)
		}
	}
	if so.until != "" {
		if q.Until, err = recordings.ParseWhen(so.until, now, loc); err != nil {
			return q, usagef("--until: %w", err)
		}
	}
	if so.minDur != "" {
		if q.MinDuration, err = recordings.ParseDuration(so.minDur); err != nil {
			return q, usagef("--min-duration: %w", err)
		}
	}
	if so.maxDur != "" {
		if q.MaxDuration, err = recordings.ParseDuration(so.maxDur); err != nil {
			return q, usagef("--max-duration: %w", err)
		}
	}
	if q.Limit < 1 || q.Limit > recordings.MaxLimit {
		return q, usagef("--limit: %d is not between 1 and %d", q.Limit, recordings.MaxLimit)
	}
	// The same check as every search's, the API's included, before the catalogue
	// is opened: a misspelt value is a mistake, not a search that matches nothing.
	if err := q.Validate(); err != nil {
		return q, usagef("--%w", err)
	}
	return q, nil
}

func runSearch(ctx context.Context, opts *globalOptions, so searchOptions) error {
	l, err := opts.loadConfig()
	if err != nil {
		return err
	}
	loc, err := l.Config.Location()
	if err != nil {
		return err
	}
	q, err := so.query(time.Now(), loc)
	if err != nil {
		return err
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	page, err := a.cat.Search(ctx, q)
	if errors.Is(err, recordings.ErrInvalid) {
		// What only the catalogue checks (a number's digits, a cursor): the
		// catalogue's message already says "search".
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if so.json {
		return writeJSON(opts.stdout, recordings.NewPageJSON(page, a.loc))
	}
	printPage(opts.stdout, page, a.loc)
	return nil
}

// lower lower-cases recording types as people type them ("IN").
func lower(types []string) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = strings.ToLower(strings.TrimSpace(t))
	}
	return out
}
