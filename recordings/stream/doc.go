// Package stream makes every recording Asterisk writes playable, and seekable, in
// a browser, decoding on the fly in pure Go.
//
// Open returns a Content whose R is an io.ReadSeeker of known Size for
// http.ServeContent (ServeHTTP wraps it with the headers a recording needs):
//
//   - wav and wav16 holding 16-bit PCM (mono or stereo) are served as the file
//     itself. A file whose header sizes were never patched (MixMonitor has not
//     closed it) or that is shorter than its header says is served as a corrected
//     44-byte header followed by the data present when it was opened.
//   - wav49 ("WAV"), gsm, ulaw, alaw, sln, sln16 (and the other slnN rates), g722,
//     and RIFF files holding G.711 or GSM, are transcoded to 16-bit mono PCM WAV:
//     a 44-byte header, then two bytes per sample. The output length is fixed at
//     Open from the number of whole input frames (a trailing partial frame is
//     dropped), so Seek is O(1) and a read decodes only the frames it needs.
//   - g729, unknown formats and WAV files of other codecs yield an error
//     matching recordings.ErrUnsupportedFormat; a WAV file whose header cannot
//     be read (no RIFF signature, no fmt or data chunk, cut short) yields
//     ErrDamaged: the file is broken, not of a format Totalrec lacks.
//
// # Output is the whole-file decode
//
// The bytes at any output offset are the bytes a decode of the whole file from its
// first frame puts there, however the offset is reached: read in one go, through
// any Seek and Read sequence, in spliced ranges, with or without checkpoints, from
// one Content or many. G.711 and PCM frames decode independently. GSM, WAV49 and
// G.722 decoders carry state from frame to frame, so a read that starts in the
// middle restores the decoder state saved at the last checkpoint at or before its
// first frame, decodes forward from there and discards what precedes the offset.
// The restored state is the state a decoder from the first frame has there, so the
// samples are identical, not approximate.
//
// BuildCheckpoints makes the checkpoints in one decoding pass, with the waveform
// peaks (one per 100 ms); the caller stores them (MarshalBinary) next to its other
// caches. By default they are taken every five seconds of audio: a read anywhere
// then decodes at most five seconds (250 GSM frames, about 1 ms of CPU) before its
// first byte, and they cost 281 bytes per five seconds for GSM (about 200 KB per
// hour), 137 for G.722, plus 72 KB of peaks per hour. Without checkpoints a
// stateful format decodes from the first frame (or from where the previous read
// of the same Content left the decoder, if that is nearer) up to the offset: the
// same bytes, with work that grows with the offset. Checkpoints are
// fingerprinted against the input they were computed from; checkpoints of another
// file are refused with ErrCheckpoints, never used to produce other audio. A damaged raw GSM frame (no signature
// nibble), which libgsm would stop at, decodes to 20 ms of silence.
//
// # Memory
//
// A Content holds the WAV header, the decoder and one batch of input and output:
// at most a second of audio and never more than 16 KiB of output, so about 50 KiB
// whatever the file's length, plus the checkpoints the caller passes in, which it
// may share between Contents. Nothing reads the whole file into memory. A Content
// is not safe for concurrent use; open one per request.
//
// The size of a file still being written is the size passed to Open; later bytes
// belong to a later Open.
package stream
