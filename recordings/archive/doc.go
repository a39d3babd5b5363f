// Package archive moves recordings that are older than a configured age from the
// spool to an S3-compatible bucket (package s3), and back on request. The daemon
// runs an Archiver on a timer; `totalrec archive` runs one pass by hand and
// `totalrec archive restore` brings recordings back to disk.
//
// # One move to the bucket
//
// A recording is archived when it is on disk with audio, unclaimed, sealed by the
// evidence hasher, in no conversion under way, and older than After. Its object's
// key is its spool path (under the node's name when the node has one), and the
// object carries its SHA-256 and the call's metadata. The steps:
//
//  1. The file is uploaded, hashed as it is read; a file whose hash is not the one
//     the catalogue holds for it (its seal, or its compressed form's) is not
//     archived: `totalrec verify` reports it.
//  2. The object is verified: its size, and its SHA-256 read back from the bucket.
//  3. One transaction names the object in the catalogue (storage s3) and journals
//     the move as uploaded (totalrec_archive), only while the row is still the
//     live, unclaimed, local file that was uploaded; a row claimed by retention
//     meanwhile keeps its file, and the object is removed.
//  4. The local file is removed and its directory synced; the journal says archived.
//
// A crash before 3 leaves the file named by the catalogue, and at most an object
// that nothing names, replaced by the next upload of its key. A crash after 3
// leaves the object named; the next pass removes the local file (Recover). Until
// then a scan leaves the file alone: an archived row's file is neither new nor,
// when absent, missing.
//
// # Back to disk
//
// Restore reads the object into a work file (spool.WorkPrefix) beside where the
// recording was, checks its SHA-256, gives it the recording's modification time,
// syncs it and renames it into place; one transaction then names the file again
// (storage local, journal restoring, kept on disk for KeepRestored so that the
// next pass does not archive it straight back), and the object is removed
// (journal restored). A crash after the switch leaves the object to the next pass.
//
// # Reading and deleting
//
// Playback, download and the waveform read an archived recording from its object
// with ranged GETs (s3.Object); retention and erasure remove the object.
package archive
