// Package ingest keeps the catalogue true to the spool and to the CDR.
//
// A Scanner walks the spool tree, lists each directory that changed since the last
// scan, probes new and changed files, upserts them in batches and marks rows whose
// file vanished as missing. Directories whose mtime is unchanged since the last scan,
// and which held no file still being written, are not listed again: adding, removing
// or renaming a file changes its directory's mtime, and a file that MixMonitor is
// still writing keeps its directory "dirty" until it is seen closed.
//
// An Enricher links recordings to their CDR rows. The CDR row is written at hangup,
// usually after the recording file appears, so a recording whose row is not there yet
// is retried with backoff until the configured window passes; meanwhile it is
// searchable by what its file name says.
package ingest
