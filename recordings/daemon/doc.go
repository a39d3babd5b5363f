// Package daemon assembles what `totalrec serve` runs, apart from the command
// line: Run opens the spool, takes the data directory's lock (lock.go: one daemon
// per data directory, an flock the kernel drops however the process ends), drains
// the hook journal, and runs one group of context-aware loops — the web server,
// the hook socket (hook.go), the periodic scan, enrichment, session pruning and
// webhook delivery — until its context ends or one of them fails; then all are
// cancelled and waited for, and the web server closed after them.
//
// Scan (scan.go) is the scan job that `scan`, `demo` and the daemon's scan loop run
// alike. The periodic loops go through every (every.go). hook_client.go is the
// other end of the hook socket: what `totalrec hook`, a short-lived process run by
// MixMonitor for each recording, posts, and where it journals when no daemon
// answers.
//
// Env carries what the command opened (configuration, catalogue, CDR reader), so
// every field of the configuration the daemon reads — the spool, the data
// directory, the node, sign-in, the base path, the retention policy the storage
// page explains — comes from the one config.Config the command loaded.
package daemon
