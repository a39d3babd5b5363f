// Package s3 is Totalrec's client of the S3-compatible bucket that holds its
// archive tier: it uploads recordings, verifies them by reading them back, and
// serves them again with ranged reads.
//
// The client is minio-go; this package adds what the archive needs on top of it:
//
//   - Errors callers can act on. Every failure wraps one of ErrNotFound,
//     ErrMismatch, ErrCredentials, ErrNoBucket or ErrUnreachable where one
//     applies, and its message says in plain words what is wrong and where
//     (server, bucket, access key, the configuration key to check). The secret
//     key never appears in an error or in String.
//   - Integrity. Put sends a Content-MD5, so a server rejects an upload that
//     was corrupted on the way; Verify reads the whole object back and compares
//     its SHA-256 with the one the caller sealed, which is what the archive
//     relies on before it deletes the local copy.
//   - Reads that start at once. An Object is an io.ReaderAt whose reads are
//     ranged GETs through a small read-ahead window, so playing an archived
//     recording needs no download of the rest of it, and a decoder reading 4 KiB
//     at a time costs one request per window rather than one per read.
//   - Bounded waits. The HTTP transport has dial and response-header timeouts;
//     minio-go's retries (it retries 5xx answers and failed connections a few
//     times with a capped back-off) end in an error within seconds, never hang.
//
// Object keys are relative: Config.Prefix is prepended to each, so several
// installations can share one bucket.
package s3
