package s3

import (
	"fmt"
	"net/http"
	"path"
	"strings"
)

// metaPrefix is the header prefix of user metadata.
const metaPrefix = "x-amz-meta-"

// encodeMeta turns meta into the user-metadata headers of a PUT.
//
// Keys must be lower-case ASCII letters, digits and '-': they become header
// names, and servers and proxies treat anything else differently (nginx drops
// names with '_'; S3 lower-cases them). Values travel as header values, so every
// byte outside printable ASCII is percent-encoded, and so are '%' itself and a
// space at either end (HTTP trims those), which makes decodeMeta exact.
func encodeMeta(meta map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(meta))
	for k, v := range meta {
		if !validMetaKey(k) {
			return nil, fmt.Errorf("metadata key %q: want lower-case letters, digits and '-'", k)
		}
		out[metaPrefix+k] = encodeMetaValue(v)
	}
	return out, nil
}

func validMetaKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range []byte(k) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func encodeMetaValue(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c > 0x7e || c == '%' || (c == ' ' && (i == 0 || i == len(v)-1)) {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// decodeMeta is the user metadata among an object's headers: keys without the
// prefix and lower-cased, values decoded as encodeMeta encoded them. A value
// that another client stored with a stray '%' is returned as it is.
func decodeMeta(h http.Header) map[string]string {
	meta := make(map[string]string)
	for k, vs := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, metaPrefix) || len(vs) == 0 {
			continue
		}
		meta[strings.TrimPrefix(lk, metaPrefix)] = decodeMetaValue(vs[0])
	}
	return meta
}

func decodeMetaValue(v string) string {
	if !strings.Contains(v, "%") {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b = append(b, v[i])
			continue
		}
		if i+2 >= len(v) {
			return v
		}
		hi, ok1 := unhex(v[i+1])
		lo, ok2 := unhex(v[i+2])
		if !ok1 || !ok2 {
			return v
		}
		b = append(b, hi<<4|lo)
		i += 2
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// contentType is the Content-Type an object of key's extension is stored with,
// so that a browser handed a presigned or proxied URL plays it.
func contentType(key string) string {
	switch strings.ToLower(path.Ext(key)) {
	case ".opus", ".ogg":
		return "audio/ogg"
	case ".mp3":
		return "audio/mpeg"
	case ".wav":
		return "audio/wav"
	}
	return "application/octet-stream"
}
