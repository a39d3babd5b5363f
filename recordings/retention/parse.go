package retention

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// DefaultPolicyFile is where the policy lives when neither --policy nor the
// configuration (retention_policy, $TOTALREC_RETENTION_POLICY) names another file.
const DefaultPolicyFile = "/etc/totalrec/retention.conf"

// maxPolicyBytes bounds what Parse reads.
const maxPolicyBytes = 1 << 20

// LoadFile reads and parses the policy file at path.
func LoadFile(path string) (Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return Policy{}, fmt.Errorf("read retention policy: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a policy in the key = value format (see doc.go). name is used in error
// messages, which read "name:line: …" and match recordings.ErrInvalid. A key given
// twice, an unknown key and a malformed value are errors: a policy that deletes is
// never guessed at.
func Parse(r io.Reader, name string) (Policy, error) {
	p := Policy{Grace: DefaultGrace, MaxShare: DefaultMaxShare, Source: name}
	seen := map[string]int{}
	sc := bufio.NewScanner(io.LimitReader(r, maxPolicyBytes))
	sc.Buffer(make([]byte, 4096), 64*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if text == "" {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s: %w", name, line, fmt.Sprintf(format, args...), recordings.ErrInvalid)
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			return Policy{}, fail("want key = value")
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		if value == "" {
			return Policy{}, fail("%s: no value", key)
		}
		if prev, dup := seen[key]; dup {
			return Policy{}, fail("%s: already set on line %d", key, prev)
		}
		seen[key] = line
		if err := p.set(key, value); err != nil {
			return Policy{}, fail("%s", err)
		}
	}
	if err := sc.Err(); err != nil {
		return Policy{}, fmt.Errorf("read retention policy %s: %w", name, err)
	}
	return p, nil
}

// set applies one key = value line.
func (p *Policy) set(key, value string) error {
	var err error
	switch key {
	case "max_age":
		p.MaxAge, err = parseAge(value)
	case "empty_after":
		p.EmptyAfter, err = parseDuration(value)
	case "grace":
		p.Grace, err = parseDuration(value)
		if err == nil && p.Grace < MinGrace {
			err = fmt.Errorf("below the minimum of %s", formatDuration(MinGrace))
		}
	case "min_free":
		p.MinFree, err = parsePercent(value)
		if err == nil && p.MinFree >= 100 {
			err = fmt.Errorf("%q: must be below 100%%", value)
		}
	case "max_spool":
		p.MaxSpool, err = parseSize(value)
	case "clear_cdr_recordingfile":
		p.ClearCDR, err = parseBool(value)
	case "max_share":
		p.MaxShare, err = parsePercent(value)
		if err == nil && p.MaxShare == 0 {
			err = fmt.Errorf("%q: 0%% would refuse every run", value)
		}
	default:
		return p.setScoped(key, value)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// setScoped applies max_age.<scope>.<k1>[,<k2>…] = age.
func (p *Policy) setScoped(key, value string) error {
	rest, ok := strings.CutPrefix(key, "max_age.")
	if !ok {
		return fmt.Errorf("unknown key %q", key)
	}
	scope, list, ok := strings.Cut(rest, ".")
	if !ok || list == "" {
		return fmt.Errorf("%s: want max_age.<ext|queue|did|type|direction>.<name>[,<name>…]", key)
	}
	var m *map[string]Age
	switch scope {
	case "ext":
		m = &p.ByExt
	case "queue":
		m = &p.ByQueue
	case "did":
		m = &p.ByDID
	case "type":
		m = &p.ByType
	case "direction":
		m = &p.ByDirection
	default:
		return fmt.Errorf("%s: unknown scope %q (ext, queue, did, type or direction)", key, scope)
	}
	age, err := parseAge(value)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if *m == nil {
		*m = map[string]Age{}
	}
	for _, k := range strings.Split(list, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			return fmt.Errorf("%s: empty name in the list", key)
		}
		if scope == "direction" && k != "in" && k != "out" && k != "internal" {
			return fmt.Errorf("%s: direction %q: want in, out or internal", key, k)
		}
		if _, dup := (*m)[k]; dup {
			return fmt.Errorf("%s: %s %s given twice", key, scope, k)
		}
		(*m)[k] = age
	}
	return nil
}

func parseAge(s string) (Age, error) {
	if s == "never" {
		return Age{Never: true}, nil
	}
	d, err := parseDuration(s)
	return Age{D: d}, err
}

// parseDuration reads a positive whole number and a unit: s, m (minutes), h, d, w or
// y (365 days).
func parseDuration(s string) (time.Duration, error) {
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour,
		'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if len(s) < 2 {
		return 0, fmt.Errorf("%q: want a number and a unit (s, m, h, d, w, y), e.g. 90d", s)
	}
	u, ok := units[s[len(s)-1]]
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if !ok || err != nil || n <= 0 || n > int64(200*365*24*time.Hour/u) {
		return 0, fmt.Errorf("%q: want a positive number and a unit (s, m, h, d, w, y), e.g. 90d", s)
	}
	return time.Duration(n) * u, nil
}

// parseBool reads yes/no, true/false, on/off or 1/0.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true", "on", "1":
		return true, nil
	case "no", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q: want yes or no", s)
}

// parsePercent reads "10%" (the sign is required) as 10.
func parsePercent(s string) (float64, error) {
	num, ok := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || err != nil || v < 0 || v > 100 {
		return 0, fmt.Errorf("%q: want a percentage such as 10%%", s)
	}
	return v, nil
}

// parseSize reads a byte count with an optional binary unit: 500G, 2T, 750M, 1048576.
// "G", "GB" and "GiB" all mean 2^30 bytes.
func parseSize(s string) (int64, error) {
	num := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "iB"), "B"), "b")
	mult := int64(1)
	if n := len(num); n > 0 {
		switch num[n-1] {
		case 'K', 'k':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G', 'g':
			mult = 1 << 30
		case 'T', 't':
			mult = 1 << 40
		}
		if mult > 1 {
			num = num[:n-1]
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || v <= 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("%q: want a size such as 500G", s)
	}
	return v * mult, nil
}
