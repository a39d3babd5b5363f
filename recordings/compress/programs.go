package compress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/totalrec/totalrec/recordings"
)

// A Codec is one compressed form and the reference programs that write and read
// it: opusenc and opusdec (opus-tools, on libopus) for Opus in Ogg, lame for MP3.
// Totalrec has no encoder of its own.
type Codec struct {
	Format recordings.Format
	Ext    string // the new file's extension
	// Encoder and Decoder are the programs' names, looked up in PATH.
	Encoder, Decoder string
	// Bitrate is the target in kbit/s for speech at 8 or 16 kHz; LowBitrate is
	// the target for a GSM original (13 kbit/s), which a larger file would not
	// improve.
	Bitrate, LowBitrate int
}

// Codecs are the forms a recording may be compressed to, by config name.
var Codecs = map[recordings.Format]Codec{
	recordings.FormatOpus: {Format: recordings.FormatOpus, Ext: "opus", Encoder: "opusenc", Decoder: "opusdec", Bitrate: 16, LowBitrate: 10},
	recordings.FormatMP3:  {Format: recordings.FormatMP3, Ext: "mp3", Encoder: "lame", Decoder: "lame", Bitrate: 16, LowBitrate: 10},
}

// ErrNoProgram reports an encoder or decoder that is not installed.
var ErrNoProgram = errors.New("program not installed")

// Available reports whether the codec's programs are installed, with the Debian
// package to install when they are not.
func (c Codec) Available() error {
	for _, p := range []string{c.Encoder, c.Decoder} {
		if _, err := exec.LookPath(p); err != nil {
			pkg := "lame"
			if c.Format == recordings.FormatOpus {
				pkg = "opus-tools"
			}
			return fmt.Errorf("%s for %s: %w (install the %s package)", p, c.Format, ErrNoProgram, pkg)
		}
	}
	return nil
}

// BitrateFor is the target bitrate for an original of format from.
func (c Codec) BitrateFor(from recordings.Format) int {
	if from == recordings.FormatGSM || from == recordings.FormatWAV49 {
		return c.LowBitrate
	}
	return c.Bitrate
}

// Encode reads a 16-bit PCM WAV stream from wav and writes the compressed form to
// out, an empty file opened for reading and writing, at kbps kbit/s. Opus encodes
// with complexity 5 and 60 ms frames: speech at the size of complexity 10 within a
// few per cent, in half the time. LAME writes its Info tag
// (which gives the length without decoding) by going back to the file's start, so
// it writes through the file's name in /dev/fd rather than a pipe; its average
// bitrate mode is used because a constant 16 kbit/s frame at 8 kHz is too small to
// hold that tag.
func (c Codec) Encode(ctx context.Context, wav io.Reader, out *os.File, kbps int) error {
	rate := strconv.Itoa(kbps)
	var cmd *exec.Cmd
	switch c.Format {
	case recordings.FormatOpus:
		cmd = command(ctx, c.Encoder, "--quiet", "--bitrate", rate, "--comp", "5", "--framesize", "60", "-", "-")
		cmd.Stdout = out
	case recordings.FormatMP3:
		cmd = command(ctx, c.Encoder, "--quiet", "--abr", rate, "-m", "m", "-", "/dev/fd/3")
		cmd.ExtraFiles = []*os.File{out}
	default:
		return fmt.Errorf("encode to %s: %w", c.Format, recordings.ErrUnsupportedFormat)
	}
	cmd.Stdin = wav
	return run(cmd, c.Encoder, "encode to "+string(c.Format))
}

// Decode decodes the compressed file in to a 16-bit PCM WAV stream on w, at rate Hz
// where the decoder resamples (opusdec; LAME decodes at the file's own rate). in is
// read through its own name in /dev/fd: its offset is left alone.
func (c Codec) Decode(ctx context.Context, in *os.File, rate int, w io.Writer) error {
	var cmd *exec.Cmd
	switch c.Format {
	case recordings.FormatOpus:
		cmd = command(ctx, c.Decoder, "--quiet", "--rate", strconv.Itoa(rate), "--force-wav", "/dev/fd/3", "-")
	case recordings.FormatMP3:
		cmd = command(ctx, c.Decoder, "--quiet", "--decode", "/dev/fd/3", "-")
	default:
		return fmt.Errorf("decode %s: %w", c.Format, recordings.ErrUnsupportedFormat)
	}
	cmd.ExtraFiles = []*os.File{in}
	cmd.Stdout = w
	return run(cmd, c.Decoder, "decode "+string(c.Format))
}

// niceness is how much lower than the daemon's the programs' CPU priority is: on
// a PBX, Asterisk's calls come first.
const niceness = "10"

// command is the program name with args, run through nice(1) when it is there.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if nice, err := exec.LookPath("nice"); err == nil {
		return exec.CommandContext(ctx, nice, append([]string{"-n", niceness, name}, args...)...)
	}
	return exec.CommandContext(ctx, name, args...)
}

// run runs cmd, naming the program and the end of what it printed on failure.
func run(cmd *exec.Cmd, program, what string) error {
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 2048}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return fmt.Errorf("%s: %s: %w: %s", what, program, err, msg)
		}
		return fmt.Errorf("%s: %s: %w", what, program, err)
	}
	return nil
}

// limitedBuffer keeps the first max bytes written to it and drops the rest.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
