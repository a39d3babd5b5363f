// Package retention decides which recordings go, and deletes them.
//
// # Policy
//
// The decision is pure: Evaluator.Decide and Apply take the recordings, the Policy,
// the time now and the disk figures, and return a Decision (delete or keep, the rule,
// a reason) per recording, with no I/O and no clock. The rules, evaluated together:
//
//   - legal hold overrides everything; a held recording is never deleted;
//   - a file still being written, or modified within the grace period (default 15m,
//     at least 1m; an mtime in the future counts as within), is never deleted;
//   - empty_after: an empty recording (state empty, or 44 bytes or less) goes that long
//     after its last write;
//   - max_age: a recording goes when its call is older than the age that applies to
//     it — the most specific of extension, queue, DID, type, direction, default; a
//     rule of "never" keeps those recordings whatever their age and from the watermark;
//   - the watermark (min_free, max_spool): when the disk has less than min_free free or
//     the spool holds more than max_spool, the oldest recordings that no rule protects
//     go, by call time, until the bytes freed by all rules cover the shortfall.
//
// A missing file is an error and an empty policy (Policy.Empty) deletes nothing: the
// commands refuse both. A plan deleting more than max_share (default 50%) of the live
// recordings is refused unless forced (Policy.CheckShare): a clock ten years ahead
// makes every recording old, and must not empty the spool.
//
// # Policy file
//
// /etc/totalrec/retention.conf (or --policy FILE, or $TOTALREC_RETENTION_POLICY),
// one "key = value" a line; '#' starts a comment; a key may appear once:
//
//	max_age = 365d                 # default maximum age of a call
//	max_age.type.in = 90d          # per name type: in, out, internal, external, q, rg, …
//	max_age.direction.out = 180d   # per direction: in, out, internal
//	max_age.ext.101,102 = 30d      # per extension (a list), matched exactly
//	max_age.queue.700 = 2y         # per queue
//	max_age.did.74951234567 = never
//	empty_after = 1h               # delete empty recordings an hour after their last write
//	min_free = 10%                 # watermark: keep 10% of the file system free
//	max_spool = 500G               # watermark: keep the spool under 500 GiB (K, M, G, T: powers of 1024)
//	grace = 15m                    # never delete what was written in the last 15 minutes
//	max_share = 50%                # refuse a run deleting more than half of all recordings
//	clear_cdr_recordingfile = yes  # empty cdr.recordingfile of deleted recordings (default no)
//
// Durations are a whole number and a unit: s, m (minutes), h, d, w, y (365 days).
// Errors name the file and line ("retention.conf:7: …").
//
// # Runner
//
// Runner.Plan streams the catalogue in keyset pages (memory bounded whatever the
// spool's size) and sums the decisions; when the watermark applies, a second pass in
// call-time order finds the Cutoff and the bytes under it. Runner.Run decides again
// at run time with the same evaluator and hands the deletions, in batches of one
// directory's files, to Workers goroutines that take batches of different
// directories at once: an unlink holds its directory's lock, so deletions spread
// over directories run in parallel where those within one directory queue. The
// watermark deletes no more bytes at run time than the plan found under its cutoff:
// a recording that became eligible since (a hold released) does not add to it.
//
// Each file's catalogue row is claimed before its unlink: one conditional UPDATE
// per row that succeeds only while the row is not held, not claimed, and in the
// state, size, mtime and call time the decision read (Store.ClaimDeletions, which
// commits the claims of up to 32 files of a directory at once, before their
// unlinks). Placing a
// hold is the mirror statement (it refuses a claimed or deleted row), so a hold that
// returned success wins over every unlink not yet made, and one that lost says the
// recording is gone. A file that the claim finds held is counted in the report
// (held_now) and kept. Files are deleted through the spool's directory handles
// (unlinkat relative to the directory; never outside the root, never through a
// symlink); before each deletion a worker checks the file's size and mtime against
// the catalogue (lstat relative to the directory handle) and skips a file that
// changed, releasing its claim. A day directory older than every maximum age, in
// which every catalogued recording is deleted, is listed once and emptied without a
// stat per file (a name missing from the listing is looked up, not taken as gone);
// empty day, month and year directories are pruned. Per batch, the claims are
// settled: with clear_cdr_recordingfile, cdr.recordingfile is emptied in the CDR
// rows naming the files; then the files deleted are counted to the run's record and
// the claims' reasons set in one transaction, and the rows are marked deleted.
//
// Crash safety: every unlink follows its claim and precedes its mark; a run killed
// in between leaves claimed rows. Recover, which a run calls before it plans,
// settles them: a claimed file that is gone is counted to the run that claimed it
// (its claim names the run until counted), its CDR links cleared when asked, and
// its row marked deleted; a claimed file still there is released and decided again.
// Killed at any point and run again, retention ends in the same state, with the
// catalogue and the disk in agreement, and the record of each run counting the
// files it deleted. One run at a time: Lock takes an flock on a file in the data
// directory. The retention command stores each run when it starts (status running)
// and after each batch; a run that finds a record still running while it holds the
// lock marks it interrupted and says what it deleted.
package retention
