// Package compress converts recordings, once their calls have ended, to a small
// form browsers play as it is: Opus in Ogg (the default) or MP3, with the
// reference encoders (opusenc on libopus, LAME) run as programs. The daemon runs
// a Compressor after the hook and on a timer; `totalrec compress` runs one pass by
// hand.
//
// # One conversion
//
// A recording is converted when it is on disk with audio, unclaimed, of a format
// the player decodes, and final: sealed by the evidence hasher, or announced by the
// hook (then the compressor seals it). Its conversion is journalled in the
// catalogue (totalrec_conversions) and takes these steps:
//
//  1. pending: the journal row is written; the original is hashed and checked
//     against its seal (an altered original is not converted: verify reports it);
//     the player's WAV stream of it is piped to the encoder, which writes a work
//     file named .totalrec-ID.EXT beside it, and measured on the way.
//  2. verified: the work file is decoded by the reference decoder and must be as
//     long as the original to within 20 ms, with no second silent that was not;
//     it takes the original's modification time, is synced, and its SHA-256 and
//     size are journalled.
//  3. switched: the work file is renamed (never over an existing file) to the
//     original's name with the new extension, the directory synced, and the
//     catalogue row moved to it in one transaction that succeeds only if the row
//     is still the live, unclaimed row of the original.
//  4. done: the CDR rows that named the original (by name or absolute path) are
//     renamed, recording.ready is announced with the new form, and the original is
//     removed; a held recording's original is kept (kept) until its holds end,
//     when KeepHeldOriginal is set.
//
// A crash before 3 leaves the original named by the catalogue and the CDR; the
// next pass removes the work file (pending) or renames and switches it (verified,
// if its hash is still the one journalled). A crash after 3 leaves the new file
// named by the catalogue; the next pass finishes 4, each of whose steps may be
// repeated. Until then a scan skips the files an open conversion owns (ConversionFiles), and
// never catalogues a work file. A recording the encoder or the check refuses is
// journalled failed with the reason, and kept as it was.
//
// The seal stays the original's hash; the journal row carries it on to the new
// file's hash, which is what evidence.Verifier checks the file against.
package compress
