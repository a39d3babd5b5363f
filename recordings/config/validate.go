package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FieldError says which setting is invalid and why. Value is as the user wrote it,
// except that a DSN's password is redacted.
type FieldError struct {
	Field string // the key, as in the config file: "db", "spool", …
	Value string
	Msg   string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Field, e.Value, e.Msg)
}

// Validate checks every setting and returns all problems joined, each a *FieldError
// (errors.As finds the first).
func (c Config) Validate() error {
	var errs []error
	bad := func(field, value, format string, a ...any) {
		errs = append(errs, &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, a...)})
	}
	for _, p := range []struct{ field, value string }{{"spool", c.Spool}, {"data_dir", c.DataDir}} {
		if !filepath.IsAbs(p.value) {
			bad(p.field, p.value, "want an absolute path")
		}
	}
	if c.DB == "" {
		bad("db", "", "a catalogue DSN is required")
	} else if err := checkDSN(c.DB); err != nil {
		bad("db", RedactDSN(c.DB), "%s", err)
	}
	if c.CDRDB != "" {
		if err := checkDSN(c.CDRDB); err != nil {
			bad("cdr_db", RedactDSN(c.CDRDB), "%s", err)
		}
	}
	if !isIdentifier(c.CDRTable) {
		bad("cdr_table", c.CDRTable, "want a table name of letters, digits and _")
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", c.Listen, "want host:port, e.g. 127.0.0.1:8080")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("listen", c.Listen, "port %q is not a number from 0 to 65535", port)
	}
	switch c.Compress {
	case "opus", "mp3", "keep":
	default:
		bad("compress", c.Compress, "want opus, mp3 or keep")
	}
	switch c.CompressHeld {
	case "keep-original", "replace":
	default:
		bad("compress_held", c.CompressHeld, "want keep-original or replace")
	}
	if c.Nodes != "" {
		if _, err := c.NodeURLs(); err != nil {
			bad("nodes", c.Nodes, "%s", err)
		}
		if c.NodeSecret == "" {
			bad("node_secret", "", "required with nodes: the same secret on every node")
		}
	}
	if c.NodeSecret != "" && len(c.NodeSecret) < 16 {
		bad("node_secret", "(redacted)", "want at least 16 characters")
	}
	if !isNodeName(c.Node) {
		bad("node", c.Node, "want at most 64 letters, digits, '.', '_' or '-'")
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			bad("timezone", c.Timezone, "not a known IANA zone such as Europe/Berlin")
		}
	}
	if c.CDRWindow < 0 {
		bad("cdr_window", c.CDRWindow.String(), "must not be negative")
	}
	if c.ScanInterval <= 0 {
		bad("scan_interval", c.ScanInterval.String(), "must be positive")
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("public_url", c.PublicURL, "want http(s)://host[:port]/")
		}
	}
	for _, o := range c.FrameAncestorList() {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			bad("frame_ancestors", c.FrameAncestors, "want origins such as https://pbx.example.com, space-separated")
			break
		}
	}
	if !isBasePath(c.BasePath) {
		bad("base_path", c.BasePath, "want empty (the root) or /seg[/seg…] of letters, digits and ._~-, without a trailing slash, e.g. /totalrec")
	}
	if a := c.Archive; a.Enabled() {
		if u, err := url.Parse(a.Endpoint); strings.Contains(a.Endpoint, "://") && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			bad("archive_endpoint", a.Endpoint, "want host:port, https://host:port or http://host:port")
		}
		for _, f := range []struct{ name, value string }{{"archive_bucket", a.Bucket}, {"archive_access_key", a.AccessKey}} {
			if f.value == "" {
				bad(f.name, "", "required with archive_endpoint")
			}
		}
		if a.SecretKey == "" {
			bad("archive_secret_key", "", "required with archive_endpoint (or TOTALREC_ARCHIVE_SECRET_KEY)")
		}
		if a.Prefix != "" && !strings.HasSuffix(a.Prefix, "/") {
			bad("archive_prefix", a.Prefix, "want empty or ending in /")
		}
		if a.After < time.Hour {
			bad("archive_after", a.After.String(), "want at least 1h (e.g. 30d)")
		}
		if a.MinFree < 0 || a.MinFree >= 100 {
			bad("archive_min_free", strconv.FormatFloat(a.MinFree, 'f', -1, 64)+"%", "want 0 (off) up to below 100%%")
		}
		if a.KeepRestored < 0 {
			bad("archive_keep_restored", a.KeepRestored.String(), "must not be negative")
		}
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 || c.SessionIdle > c.SessionMax {
		bad("session_idle", c.SessionIdle.String()+"/"+c.SessionMax.String(), "session_idle and session_max must be positive, idle at most max")
	}
	return errors.Join(errs...)
}

func isIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func isNodeName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// isBasePath reports whether p is "" or "/seg[/seg…]": each segment letters,
// digits and ._~- (never only dots), no trailing slash. It goes into URLs and
// cookie paths as it is, and the web server strips it from request paths.
func isBasePath(p string) bool {
	if p == "" {
		return true
	}
	if len(p) > 200 || p[0] != '/' {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || strings.Trim(seg, ".") == "" {
			return false
		}
		for _, r := range seg {
			if !(r == '.' || r == '_' || r == '~' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}
