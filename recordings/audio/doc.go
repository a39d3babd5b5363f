// Package audio decodes the formats Asterisk records into 16-bit mono PCM, and
// reads and writes the WAV headers around them. It imports only the standard
// library and does no I/O beyond the io.ReaderAt it is given.
//
// Formats (CodecFor names; Asterisk's format names and file extensions):
//
//	wav, wav16, sln, sln16, sln12…sln192  little-endian 16-bit PCM
//	ulaw (pcm), alaw                       G.711, 8 kHz
//	gsm                                    GSM 06.10 full rate, 33-byte frames of 160 samples
//	wav49 (WAV)                            GSM 06.10 in Microsoft's packing (WAV format
//	                                       tag 49): 65-byte blocks of two frames
//	g722                                   G.722 at 64 kbit/s, 16 kHz output
//
// G.729 is not decoded: CodecFor returns ErrUnsupported.
//
// Output is bit-exact: G.711, GSM 06.10 (both packings) and PCM produce the same
// samples as sox, which decodes GSM with libgsm; the tests compare every sample on
// signals sox generates, and on random GSM frames that reach the saturating paths.
// The GSM decoder is a fixed-point implementation of the ETSI GSM 06.10 RPE-LTP
// synthesis, whose 16-bit saturating arithmetic the reference defines to the bit.
// G.722 matches FFmpeg's decoder bit for bit where FFmpeg is installed, and is
// otherwise checked by round-tripping tones through a test encoder.
//
// # Random access
//
// Every format is a sequence of fixed-size input frames, each decoding to a fixed
// number of samples (Codec.FrameBytes, Codec.FrameSamples), so the decoded length
// is known from the input length and an output byte range maps to a run of whole
// input frames. G.711 and PCM frames decode independently. GSM and G.722 decoders
// carry state from frame to frame; FrameDecoder.State returns it as a few hundred
// bytes, and Restore on a fresh decoder continues from it with output identical to
// a decode from the start of the file. A player decodes a recording once, stores
// the state every N frames as checkpoints, and later starts at the checkpoint at or
// before the first frame a range needs. GSMState and G722State are the same states
// as comparable values with MarshalBinary and UnmarshalBinary.
//
// # WAV
//
// ParseWAV finds the format and the data chunk of a WAV file with chunks in any
// order, odd-sized chunks padded, and headers whose sizes a recorder has not yet
// patched (the data then runs to the end of the file). CodecForWAV picks the codec
// for the data, and WAVHeader writes the canonical 44-byte PCM header for output.
package audio
