// Package cdr reads Asterisk's call detail records, the asteriskcdrdb.cdr table that
// FreePBX fills, to enrich the recordings catalogue.
//
// The table's shape depends on the FreePBX version that created it (see Open): a 2.9
// table has no recordingfile, did, cnum, cnam or linkedid column, and only a table
// created after August 2011 has a calldate index. The Reader detects the columns once,
// reads the absent ones as "", and never assumes an index.
//
// A call has many rows. Ring groups and queues write one row per ringing leg, transfers
// add rows under new uniqueids that share the call's linkedid, and FreePBX's hangup
// handler can add a row with dst 'h'. Reader.Legs fetches every row of the call with
// indexed lookups only; PickLeg, a pure function, chooses the row that describes one
// recording.
//
// Three calls write to the CDR table, each asked for by a command: Reader.CreateIndex
// adds one of the indexes Totalrec's lookups need (doctor --fix);
// ClearRecordingFiles empties recordingfile in the rows naming files retention
// deleted (clear_cdr_recordingfile); RenameRecordingFile follows a file that
// migrate-layout moved. CreateTable and Insert in fixture.go exist for the demo and
// the tests and are never called against a PBX's database.
//
// calldate is the PBX's local time without a zone (unless Asterisk runs with
// usegmtime); Open takes the zone as WithLocation and every CDR comes back in UTC.
package cdr
