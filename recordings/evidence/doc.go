// Package evidence makes recordings tamper-evident, and checks that they are.
//
// Every recording is sealed once its file is final: its SHA-256 goes into the
// catalogue (Hasher). After each UTC day ends, the seals made and the sealed
// recordings deleted that day go into the day's manifest (Sealer): a JSON-lines
// file whose first line names the SHA-256 of the previous day's manifest, so the
// days form a chain. Beside it, a checksum file in sha256sum's format names the
// manifest's SHA-256, and that checksum file is signed with the node's Ed25519
// key. Anyone with the public key can check a day with sha256sum and openssl, and
// Verifier does the same for every day, file and link at once.
//
// On disk, for one node:
//
//	<dir>/manifest-key.pub.pem      the public key, PEM (PKIX)
//	<dir>/YYYY/YYYY-MM-DD.jsonl     the day's manifest
//	<dir>/YYYY/YYYY-MM-DD.sum       "<sha256>  YYYY-MM-DD.jsonl"
//	<dir>/YYYY/YYYY-MM-DD.sum.sig   Ed25519 signature of the .sum file, 64 bytes
//
// The private key signs, and only `totalrec seal` (root's nightly job) reads it;
// the daemon only hashes. A recording is protected from the moment it is sealed:
// what happened to a file before that is outside what a manifest can show.
package evidence
