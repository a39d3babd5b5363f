// Package recordings holds Totalrec's domain types and the errors callers match.
//
// Totalrec catalogues every call recording that Asterisk's MixMonitor writes into a
// spool directory, links each to its call's CDR rows, serves search and playback, and
// deletes what retention policy says and nothing else.
//
// The packages below this one point one way:
//
//	cmd/totalrec ─► web ─► stream ─► audio
//	      │          └────────────► recordings
//	      ├─► spool, cdr, catalog, retention, webhook ─► recordings
//	      └─► config
//
// recordings and audio import only the standard library. A package never imports a
// sibling on its own layer; cmd/totalrec is the only place that knows them all.
package recordings
