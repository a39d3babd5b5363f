// Package catalog keeps Totalrec's catalogue — one row per recording file — in SQLite
// or MySQL/MariaDB, and searches it.
//
// # Storage
//
// Open takes "sqlite:/path/file.db" or a go-sql-driver/mysql DSN and applies the
// steps of the one ordered migration list the database lacks (migrations.go), so
// every table below exists whichever command opened the store; with Existing it
// creates and migrates nothing. Every table is prefixed totalrec_ because on FreePBX
// they share the asterisk database with FreePBX's own tables:
//
//   - totalrec_recordings: the catalogue, keyed by id and unique on (node, path).
//   - totalrec_numbers: each recording's distinct numbers, reversed (see below).
//   - totalrec_dirs: directory fingerprints for incremental scans (schema.go).
//   - Access (authschema.go, users.go, sessions.go, tokens.go, shares.go, keys.go,
//     nonces.go, audit.go): totalrec_users, totalrec_sessions,
//     totalrec_tokens, totalrec_shares, totalrec_keys, the append-only
//     totalrec_audit and totalrec_sso_nonces. A user's extension scope is applied to
//     every lookup here (scope.go).
//   - Retention (retention.go, retention_runs.go, holds.go): totalrec_retention_runs,
//     totalrec_holds.
//   - Webhooks (webhooks.go, outbox.go): totalrec_webhooks, totalrec_webhook_outbox.
//   - totalrec_archive: the archive tier's journal of each recording moved to the
//     bucket (archive.go), in step with totalrec_recordings.storage.
//   - totalrec_settings: what the web interface's settings page sets that no
//     file holds (settings.go): the default language.
//   - totalrec_schema_version: how many migration steps the database has applied.
//
// # Files
//
// Each file holds one concern of the store: catalog.go (opening; dialect.go the
// dialects), migrations.go, schema.go (the recordings tables), upsert.go and
// get.go (recordings by scan and by key; row.go scans them), state.go (missing,
// deleted, held, moved), dirs.go (directory marks), cdr.go (enrichment), search.go,
// cursor.go, numbers.go and scope.go (search), stats.go, users.go, sessions.go,
// tokens.go, shares.go, keys.go, nonces.go and audit.go (access), retention.go
// (what retention reads), retention_claims.go, retention_runs.go and holds.go
// (retention), webhooks.go and outbox.go (webhooks), purge.go. The domain types
// these take and return — users, holds, retention runs, deliveries and the rest —
// are package recordings'.
//
// CDR fields are stored with a cdr_ prefix (cdr_src, cdr_billsec, …). Times are stored
// in UTC with microsecond precision and returned as UTC time.Time values. SQLite runs
// in WAL mode with one writing connection and a small pool of query-only readers.
//
// # Number search
//
// Operators search by the last digits of a number, or by the whole number typed with
// or without its international or trunk prefix. A recording's numbers are the name's
// dest and from and the CDR's src, dst, cnum and did; each is reduced to its ASCII
// digits and stored reversed in totalrec_numbers with the call time, so that "ends
// with these digits" is a range scan on a prefix of the reversed digits. The query
// side (NumberSuffix):
//
//   - Only ASCII digits count: "+7 (912) 345-67-89" is 79123456789.
//   - Fewer than MinNumberDigits (3) digits is refused with recordings.ErrInvalid.
//   - More than SignificantDigits (10) digits: only the last 10 are matched, which
//     drops country codes and access or trunk prefixes: +7 912…, 8 912…, 7 912… all
//     find 912…; +44 20…, 0044 20… and 020… all find 20….
//   - Exactly 10 digits starting with 0 is taken as a trunk 0 and a 9-digit national
//     number (France's 01 23 45 67 89): the last 9 are matched.
//   - A recording matches when one of its numbers ends with the resulting digits; a
//     full number is simply the longest suffix.
//
// Limits of the rule: a number whose national significant part has 9 digits, typed
// in international form (+33 1 23 45 67 89), keeps one digit of its country code and
// does not find the national form (01 23 45 67 89); 3-digit suffixes match many rows
// and are the slowest searches.
//
// Ext is an exact match of the digits against the same numbers (extensions are short
// and "ends with 201" would also find 3201).
//
// # Search
//
// Results are sorted by call time or duration, ties broken by id, and paged with
// keyset cursors (never OFFSET). A cursor is opaque base64url JSON naming its sort; a
// cursor from another sort is refused. Each Search also counts matches up to
// TotalCap. Without WithDeleted only rows whose file is on disk are listed (ok,
// writing, corrupt, empty); HideEmpty drops empty ones. Count and page are two
// statements: a write committed between them can make Total differ by that write.
//
// A search by number or extension sorted by time, with no filter but the time range
// and those state classes, and no extension scope, is answered from
// totalrec_numbers alone (search_keys.go): each key carries its recording's
// presence (gone, audio, empty), kept in step with the recording's state, so the
// capped count reads keys only and the page reads one page of keys, in the key's own
// time order, before fetching those recordings. On SQLite, retention's deletions
// leave their keys' presence to one sweep at the end of the run (key_sweep.go);
// while keys wait for it, such a search takes the general plan. Every other search joins each
// number match to its recording (searchWhere), which for a busy extension over a
// month means thousands of random reads when the table is larger than the cache.
//
// # Query plans
//
// EXPLAIN on MariaDB 10.11 with 400,000 recordings over one year (800,000 numbers),
// median Search latency in brackets (count and page together):
//
//	last 7 days, newest first       page: range idx_time, no filesort; count: range idx_time, Using index  (2.3 ms)
//	month + full number             MATERIALIZED n range PRIMARY (num_rev, call_time), Using index;
//	                                r eq_ref PRIMARY; filesort of the few matches                          (0.6 ms)
//	year + last 4 digits            same plan, 40 rows                                                    (0.9 ms)
//	extension, 30 days              same plan with num_rev = ?, 150 rows                                  (1.4 ms)
//	linkedid                        ref idx_linkedid, filesort of the call's legs                         (0.3 ms)
//	answered, > 60 s, one day       page: range idx_time; count: range idx_time, Using index              (0.8 ms)
//	no filter, newest first         index idx_time backwards, stops after one page; count stops at the cap (1.7 ms)
//
// Every plan reads rows in proportion to the page or to the matches, not to the table:
// idx_time carries state, duration and disposition so those filters and the capped
// count run on the index alone; the number filter reaches the recordings through
// their primary key. SQLite (EXPLAIN QUERY PLAN) uses the same indexes.
//
// Since migration step 7 the number and extension searches above read the keys
// first (search_keys.go); docs/benchmarks.md has their plans and figures at 10
// million recordings.
package catalog
