// Package demo builds Totalrec's embedded default: a realistic FreePBX spool with a
// matching CDR table, so that a newcomer sees the product working on one command.
//
// The spool holds about two months of calls: inbound calls through DIDs answered by
// ring groups and queues, outbound and internal calls, transfers that leave two
// recordings under one linkedid, unanswered legs that leave 44-byte empty files, a
// legacy flat corner in the FreePBX 2.9 naming, and a few files whose names no
// FreePBX wrote. The audio is real speech (English and Russian, synthesised once and
// embedded as GSM and G.722), written in the formats Asterisk records: wav, WAV
// (wav49), gsm, ulaw, alaw, sln, g722, wav16 and sln16, and a few in g729, which
// Totalrec cannot decode. The CDR table has the FreePBX 16 shape, with the NO ANSWER
// legs of ring groups and the 'h' rows FreePBX writes beside the recorded leg.
//
// Everything is derived from a seed, so the same options build the same spool.
package demo
