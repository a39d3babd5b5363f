package demo

import (
	"bytes"
	"embed"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path"

	"github.com/totalrec/totalrec/recordings/audio"
)

// The clips: each utterance as raw GSM, as WAV49, and as G.722 (made from the
// GSM with ffmpeg -f gsm -i X.gsm -ar 16000 -c:a g722 -f g722 X.g722).
//
//go:embed clips/*.gsm clips/*.WAV clips/*.g722
var clipFS embed.FS

// voice is one synthesised utterance in the shapes the writers need.
type voice struct {
	gsm   []byte  // raw GSM 06.10 frames, 33 bytes per 20 ms
	wav49 []byte  // GSM in Microsoft packing, 65 bytes per 40 ms
	g722  []byte  // G.722 at 64 kbit/s, 16 kHz: a byte per two samples
	pcm   []int16 // 8 kHz linear
}

// conversation is the audio every demo recording loops: the utterances in turn.
type conversation struct{ voices []voice }

func loadConversation(lang string) (*conversation, error) {
	c := &conversation{}
	for _, who := range []string{"agent", "caller", "agent2"} {
		name := path.Join("clips", who+"-"+lang)
		g, err := clipFS.ReadFile(name + ".gsm")
		if err != nil {
			return nil, fmt.Errorf("load clip: %w", err)
		}
		w, err := clipFS.ReadFile(name + ".WAV")
		if err != nil {
			return nil, fmt.Errorf("load clip: %w", err)
		}
		info, err := audio.ParseWAV(bytes.NewReader(w), int64(len(w)))
		if err != nil {
			return nil, fmt.Errorf("load clip %s: %w", name, err)
		}
		g7, err := clipFS.ReadFile(name + ".g722")
		if err != nil {
			return nil, fmt.Errorf("load clip: %w", err)
		}
		v := voice{gsm: g[:len(g)/33*33], wav49: w[info.DataOffset : info.DataOffset+info.DataLength/65*65], g722: g7}
		if v.pcm, err = decodeGSM(v.gsm); err != nil {
			return nil, fmt.Errorf("decode clip %s: %w", name, err)
		}
		c.voices = append(c.voices, v)
	}
	return c, nil
}

func decodeGSM(frames []byte) ([]int16, error) {
	var d audio.GSMDecoder
	out := make([]int16, 0, len(frames)/33*160)
	var pcm [160]int16
	for i := 0; i+33 <= len(frames); i += 33 {
		if err := d.DecodeFrame(&pcm, (*[33]byte)(frames[i:i+33])); err != nil {
			return nil, err
		}
		out = append(out, pcm[:]...)
	}
	return out, nil
}

// loop yields n units cycling through the voices' units of size unit, taken from
// pick; it is how a recording of any length is filled with real speech.
func (c *conversation) loop(w io.Writer, n, unit int, pick func(voice) []byte) error {
	written := 0
	for written < n {
		for _, v := range c.voices {
			b := pick(v)
			units := min(len(b)/unit, n-written)
			if _, err := w.Write(b[:units*unit]); err != nil {
				return err
			}
			written += units
			if written == n {
				return nil
			}
		}
	}
	return nil
}

// wide returns n samples of the conversation at 16 kHz, little-endian 16-bit:
// the 8 kHz speech with a sample halfway between each two.
func (c *conversation) wide(n int) []byte {
	narrow := c.pcm16((n+1)/2+1, le16, 2)
	out := make([]byte, 0, 2*n)
	for i := 0; len(out) < 2*n; i++ {
		a := int16(binary.LittleEndian.Uint16(narrow[2*i:]))
		b := int16(binary.LittleEndian.Uint16(narrow[2*i+2:]))
		out = binary.LittleEndian.AppendUint16(out, uint16(a))
		if len(out) < 2*n {
			out = binary.LittleEndian.AppendUint16(out, uint16(int16((int32(a)+int32(b))/2)))
		}
	}
	return out
}

// pcm16 returns n samples of the conversation as little-endian 16-bit PCM.
func (c *conversation) pcm16(n int, encode func(dst []byte, s int16) int, width int) []byte {
	out := make([]byte, 0, n*width)
	var buf [2]byte
	for len(out) < n*width {
		for _, v := range c.voices {
			for _, s := range v.pcm {
				k := encode(buf[:], s)
				out = append(out, buf[:k]...)
				if len(out) >= n*width {
					return out
				}
			}
		}
	}
	return out
}

func le16(dst []byte, s int16) int { binary.LittleEndian.PutUint16(dst, uint16(s)); return 2 }
func ulaw(dst []byte, s int16) int { dst[0] = linearToULaw(s); return 1 }
func alaw(dst []byte, s int16) int { dst[0] = linearToALaw(s); return 1 }

// writeFile writes one recording in format ext lasting secs seconds (0 = an empty
// recording: the bare 44-byte header MixMonitor leaves for an unanswered leg).
func (c *conversation) writeFile(name, ext string, secs float64) (int64, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if secs == 0 {
		h := audio.WAVHeader(8000, 1, 16, 0)
		_, err := f.Write(h[:])
		return 44, err
	}
	samples := int(math.Round(secs * 8000))
	var body []byte
	switch ext {
	case "wav":
		h := audio.WAVHeader(8000, 1, 16, uint32(samples*2))
		body = append(h[:], c.pcm16(samples, le16, 2)...)
	case "sln":
		body = c.pcm16(samples, le16, 2)
	case "wav16":
		h := audio.WAVHeader(16000, 1, 16, uint32(samples*4))
		body = append(h[:], c.wide(2*samples)...)
	case "sln16":
		body = c.wide(2 * samples)
	case "g722":
		if err := c.loop(f, samples, 1, func(v voice) []byte { return v.g722 }); err != nil {
			return 0, err
		}
		return int64(samples), nil
	case "g729":
		// Silence: Totalrec cannot decode G.729, so no one hears it; its
		// length is its size, 10 bytes per 10 ms.
		body = make([]byte, samples/80*10)
	case "ulaw":
		body = c.pcm16(samples, ulaw, 1)
	case "alaw":
		body = c.pcm16(samples, alaw, 1)
	case "gsm":
		n := samples / 160
		if err := c.loop(f, n, 33, func(v voice) []byte { return v.gsm }); err != nil {
			return 0, err
		}
		return int64(n * 33), nil
	case "WAV":
		n := samples / 320
		h := audio.WAV49Header(uint32(n))
		if _, err := f.Write(h[:]); err != nil {
			return 0, err
		}
		if err := c.loop(f, n, 65, func(v voice) []byte { return v.wav49 }); err != nil {
			return 0, err
		}
		return int64(60 + n*65), nil
	default:
		return 0, fmt.Errorf("write %s: no demo writer for .%s", name, ext)
	}
	_, err = f.Write(body)
	return int64(len(body)), err
}
