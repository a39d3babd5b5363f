package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// printPage prints a page of search results as a table, times in loc.
func printPage(w io.Writer, page recordings.Page, loc *time.Location) {
	if len(page.Items) == 0 {
		fmt.Fprintln(w, "no recordings match")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tTYPE\tFROM\tTO\tLENGTH\tDISPOSITION\tFORMAT\tSTATE\tFILE")
	for _, r := range page.Items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.CallTime.In(loc).Format("2006-01-02 15:04:05"),
			r.Name.Type, dash(r.Caller()), dash(r.Callee()), clock(r.Duration), dash(r.CDR.Disposition), r.Format, r.State, r.Path)
	}
	tw.Flush()
	total := fmt.Sprint(page.Total)
	if page.TotalCapped {
		total = "more than " + total
	}
	fmt.Fprintf(w, "%d shown of %s matching", len(page.Items), total)
	if page.Next != "" {
		fmt.Fprintf(w, "; next page: --after %s", page.Next)
	}
	fmt.Fprintln(w)
}

// clock is a duration as a player shows it: "4:05", "1:02:03".
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
