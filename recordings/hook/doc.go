// Package hook is MixMonitor's post-command: it tells the daemon that a recording
// is closed, so that it is catalogued at once instead of at the next scan, and when
// the daemon does not answer it appends the recording to a durable journal that the
// daemon and `totalrec scan` drain.
//
// It runs once per call, as a process Asterisk starts, so it is kept small: it
// imports the configuration loader and the standard library and nothing else, and
// cmd/totalrec-hook links it alone (the full totalrec binary, with the catalogue's
// drivers and the web interface, takes several times longer to start).
package hook
