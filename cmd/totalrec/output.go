package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// What every command's output shares: JSON as the commands print it, and sizes in
// words. Each command whose output comes in two formats, text and --json, keeps
// that formatting in its own <command>_output.go (retention_output.go,
// scan_output.go), apart from the command.

// writeJSON prints v as indented JSON, the one shape of every --json.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// humanBytes is n in binary units: "1.5 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// dash stands for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
