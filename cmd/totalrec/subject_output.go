package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/totalrec/totalrec/recordings/subject"
)

// printSubject prints what a subject's search found: the recordings, those an
// erasure keeps and why, and the CDR rows.
func printSubject(w io.Writer, f subject.Found, loc *time.Location) {
	fmt.Fprintf(w, "the number ending %s: %d recordings, %d CDR rows\n", f.Digits, len(f.Recordings), len(f.CDR))
	if len(f.Recordings) > 0 {
		kept := map[int64]string{}
		for _, r := range f.Retained {
			kept[r.ID] = r.Reason
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTIME\tFROM\tTO\tSTATE\tFILE\tKEPT BY AN ERASURE")
		for _, r := range f.Recordings {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.CallTime.In(loc).Format("2006-01-02 15:04:05"),
				dash(r.Caller()), dash(r.Callee()), r.State, r.Path, dash(kept[r.ID]))
		}
		tw.Flush()
	}
	if f.NoCDR {
		fmt.Fprintln(w, "no CDR database is configured: CDR rows were not searched")
		return
	}
	if len(f.CDR) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CDR TIME\tSRC\tDST\tDISPOSITION\tUNIQUEID")
		for _, c := range f.CDR {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.CallDate.In(loc).Format("2006-01-02 15:04:05"), dash(c.Src), dash(c.Dst), dash(c.Disposition), c.UniqueID)
		}
		tw.Flush()
	}
}
