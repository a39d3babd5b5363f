// Package spool finds recording files under a spool root and reads what their names
// and headers say.
//
// The walker lists the spool's directories without following symlinks or leaving the
// root, and refuses regular files with more than one hard link (ErrHardLink: such a
// name may lead to a file from outside the spool); both are reported as oddities. ParseName reads a file name in any of the shapes FreePBX 2.5 to 17 write —
// "<type>-<dest>-<from>-YYYYMMDD-HHMMSS-<uniqueid>.<ext>" and its conference, paging
// and one-touch forms, and the older flat "OUT<ext>-…", "g<list>-…", "q<queue>-…",
// "meetme-conf-rec-…" and "auto-…" names — and never fails: a name it does not know
// is Type "other" and the caller uses the file's mtime. FormatOf maps the extension to
// an audio format, and Probe reads at most the first 4 KB of a file to give its
// duration and state: empty (header only), writing (MixMonitor has not patched the
// RIFF sizes yet), corrupt (not what the extension promises) or ok.
//
// Everything here reads; nothing writes to the spool.
package spool
