// Package recordings holds Totalrec's domain types — a recording and its CDR
// (recording.go), roles and scopes (access.go), users, sessions, API tokens and
// shares (account.go), the audit trail (audit.go), holds and retention runs
// (retention.go), seals and manifests (evidence.go), directory marks of a scan (scan.go), webhook endpoints and
// outbox deliveries (webhook.go) — the one JSON shape of a recording (json.go),
// the limits of a search and the errors callers match.
//
// Totalrec catalogues every call recording that Asterisk's MixMonitor writes into a
// spool directory, links each to its call's CDR rows, serves search and playback, and
// deletes what retention policy says and nothing else.
//
// The packages below this one import each other one way, down this list; a package
// imports only packages further down, never one above it (go list -deps shows it;
// layers_test.go fails when an import leaves the picture):
//
//	cmd/totalrec  the command line: flags and output; every package below but web, stream, audio, faultpoint, nodes
//	cmd/totalrec-hook  the hook alone, as the dialplan runs it: hook only
//	daemon        ─► web, webhook, ingest, hook, compress, evidence, subject, pause, ami, archive, s3, nodes, catalog, cdr, spool, config, recordings
//	web           ─► stream, retention, evidence, subject, pause, archive, s3, nodes, spool, auth, recordings
//	webhook       ─► recordings
//	ingest        ─► cdr, spool, faultpoint, recordings
//	hook          ─► config, faultpoint
//	demo          ─► cdr, audio, recordings
//	retention     ─► spool, faultpoint, recordings (and internal/flock)
//	compress      ─► stream, spool, audio, faultpoint, recordings (and internal/flock)
//	evidence      ─► archive, spool, recordings (and internal/flock)
//	subject       ─► archive, spool, recordings
//	archive       ─► s3, spool, faultpoint, recordings (and internal/flock)
//	archive/s3    ─► (internal/ranged; minio-go)
//	nodes         ─► recordings (and internal/ranged)
//	pause         ─► ami, recordings
//	catalog       ─► faultpoint, recordings (and internal/sqlrows)
//	cdr           ─► recordings (and internal/sqlrows)
//	stream        ─► audio, recordings
//	spool         ─► audio, recordings
//	recordings, ami, audio, auth, config, faultpoint: no other Totalrec package
//
// The leaves (recordings, ami, audio, auth, config, faultpoint) import only the standard
// library and golang.org/x. The packages that compose others — daemon, web,
// ingest, demo — import siblings; the ones they build on never import them back.
// No package but cmd/totalrec and daemon (which wire the store in) imports package
// catalog: web, webhook, ingest and retention reach
// the catalogue through the small interfaces each declares (web's Catalog,
// webhook's EventStore and DeliveryStore, ingest's ScanStore and EnrichStore,
// retention's Store, compress's Store, evidence's HashStore, ManifestStore and VerifyStore, subject's Store, pause's Store), which *catalog.Catalog satisfies. docs/architecture.md
// describes what each package owns.
package recordings
