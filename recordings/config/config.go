package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is Totalrec's configuration. Load builds it; nothing reads it from a global.
type Config struct {
	Spool        string        // recordings root, e.g. /var/spool/asterisk/monitor
	DB           string        // catalogue DSN: "sqlite:PATH" or a MySQL DSN
	CDRDB        string        // CDR DSN; "" = no CDR enrichment
	CDRTable     string        // the CDR table's name
	DataDir      string        // Totalrec's own state: SQLite catalogue, journal, caches
	Listen       string        // address the web server listens on
	Node         string        // this PBX's name when several share one catalogue; "" on one box
	Timezone     string        // IANA zone of the PBX's CDR calldate; "" = the machine's local zone
	CDRWindow    time.Duration // how long enrichment keeps retrying a recording without a CDR row
	ScanInterval time.Duration // time between spool scans
	// SSOSecret signs the single-sign-on tokens the FreePBX module hands the web UI;
	// install.sh generates it. Empty disables FreePBX sign-on.
	SSOSecret string
	// PublicURL is how browsers reach the web UI (https://pbx.example.com:8443/);
	// "" = unknown. It makes cookies Secure when https, and names the FreePBX
	// host for frame_ancestors' default.
	PublicURL string
	// FrameAncestors lists the origins, space- or comma-separated, allowed to
	// show the UI in a frame; "" = http and https on the standard ports of
	// public_url's host (or of the host each request names).
	FrameAncestors string
	// BasePath is the path the web UI is served under, "/totalrec" behind
	// FreePBX's Apache; "" = the root. install.sh writes it with the proxy.
	BasePath    string
	SessionIdle time.Duration // a session ends after this long without a request
	SessionMax  time.Duration // and this long after sign-in, whatever happens
	// RetentionPolicy is the retention policy file that `retention` applies and
	// the storage page explains.
	RetentionPolicy string
	// ManifestKey is the Ed25519 private key that signs the daily evidence
	// manifests; "" = manifest.key in DataDir. install.sh puts it in /etc/totalrec,
	// readable by root only.
	ManifestKey string

	// AMIAddress, AMIUser and AMISecret reach Asterisk's manager interface, which
	// pauses and resumes recording (MixMonitorMute); FreePBX's own manager user
	// (AMPMGRUSER, or /etc/asterisk/manager.conf) when found. No user: no pause.
	AMIAddress string
	AMIUser    string
	AMISecret  string

	// Compress is the form recordings are converted to after the call: "opus"
	// (Opus in Ogg), "mp3", or "keep" (left as Asterisk wrote them).
	Compress string
	// CompressHeld says what happens to a held recording's original once it is
	// converted: "keep-original" keeps it on disk until the holds end, "replace"
	// removes it like any other.
	CompressHeld string

	// Nodes names the web servers of the other nodes that share the catalogue,
	// "pbx1=https://pbx1.example.com/totalrec, pbx2=…": serve plays the recordings
	// they keep on their disks by asking them. "" on one PBX.
	Nodes string
	// NodeSecret signs the reads of one node from another; the same on every node
	// of a catalogue. Empty: no node reads this one's recordings.
	NodeSecret string

	// Archive is the S3-compatible bucket that recordings older than ArchiveAfter
	// move to; no endpoint: no archive tier.
	Archive ArchiveConfig

	// DBPasswordFile and CDRDBPasswordFile name files holding the MySQL password of
	// DB and CDRDB. Load has already put the password into the DSN; they are kept
	// so that `totalrec config` can show where it came from.
	DBPasswordFile    string
	CDRDBPasswordFile string
}

// ArchiveConfig says where the archive tier's bucket is and when recordings go
// there. The secret key is never shown: `totalrec config` redacts it.
type ArchiveConfig struct {
	// Endpoint is host:port (TLS, verified) or a URL: https://host:port, or
	// http://host:port for a bucket on a trusted network.
	Endpoint  string
	Bucket    string
	Prefix    string // prepended to every object's key: "" or ending in "/"
	Region    string // "" = us-east-1
	AccessKey string
	SecretKey string
	CAFile    string // a PEM bundle of a private CA; "" = the system's roots
	// After is how old a recording (by its file's modification time) must be to
	// be archived.
	After time.Duration
	// KeepRestored is how long a restored recording stays on disk.
	KeepRestored time.Duration
	// MinFree is the share of the spool's file system, in percent, to keep free
	// by archiving recordings younger than After (an hour old at least); 0: off.
	MinFree float64
}

// Enabled reports whether an archive tier is configured.
func (a ArchiveConfig) Enabled() bool { return a.Endpoint != "" }

// The defaults that do not depend on anything else.
const (
	DefaultSpool        = "/var/spool/asterisk/monitor"
	DefaultDataDir      = "/var/lib/totalrec"
	DefaultListen       = "127.0.0.1:8080"
	DefaultAMIAddress   = "127.0.0.1:5038"
	DefaultCDRTable     = "cdr"
	DefaultCDRWindow    = 2 * time.Hour
	DefaultScanInterval = 5 * time.Minute
	DefaultSessionIdle  = 30 * time.Minute
	DefaultSessionMax   = 12 * time.Hour
	// DefaultRetentionPolicy is retention.DefaultPolicyFile (config sits below
	// retention and does not import it).
	DefaultRetentionPolicy = "/etc/totalrec/retention.conf"
	DefaultCompress        = "opus"
	DefaultCompressHeld    = "keep-original"
	DefaultArchiveAfter    = 30 * 24 * time.Hour
	DefaultKeepRestored    = 30 * 24 * time.Hour
)

// Default returns the configuration before any file, variable or flag is read. Its DB
// is the SQLite catalogue in DefaultDataDir; Load moves it along with DataDir.
func Default() Config {
	return Config{
		Spool:        DefaultSpool,
		DB:           sqliteDSN(DefaultDataDir),
		CDRTable:     DefaultCDRTable,
		DataDir:      DefaultDataDir,
		Listen:       DefaultListen,
		AMIAddress:   DefaultAMIAddress,
		CDRWindow:    DefaultCDRWindow,
		ScanInterval: DefaultScanInterval,
		SessionIdle:  DefaultSessionIdle,
		SessionMax:   DefaultSessionMax,

		RetentionPolicy: DefaultRetentionPolicy,
		Compress:        DefaultCompress,
		CompressHeld:    DefaultCompressHeld,
		Archive:         ArchiveConfig{After: DefaultArchiveAfter, KeepRestored: DefaultKeepRestored},
	}
}

func sqliteDSN(dataDir string) string { return "sqlite:" + dataDir + "/totalrec.db" }

// ManifestKeyPath is where the manifest signing key is.
func (c Config) ManifestKeyPath() string {
	if c.ManifestKey != "" {
		return c.ManifestKey
	}
	return c.DataDir + "/manifest.key"
}

// NodeURLs reads Nodes: each other node's name and the base URL of its web
// server.
func (c Config) NodeURLs() (map[string]string, error) {
	out := map[string]string{}
	for _, f := range strings.FieldsFunc(c.Nodes, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		name, u, ok := strings.Cut(f, "=")
		pu, err := url.Parse(u)
		if !ok || name == "" || !isNodeName(name) || err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, fmt.Errorf("%q: want name=http(s)://host[:port][/base], comma-separated", f)
		}
		out[name] = strings.TrimSuffix(u, "/")
	}
	return out, nil
}

// Location returns the zone of Timezone, or time.Local when it is "".
func (c Config) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("load time zone: %w", err)
	}
	return loc, nil
}

// Source says where a setting's value came from.
type Source string

// The fixed sources; environment variables and flags are Source("env TOTALREC_DB") and
// Source("flag --db").
const (
	SourceDefault     Source = "default"
	SourceFreePBXConf Source = "freepbx.conf"
	SourceAmportal    Source = "amportal.conf"
	SourceAsterisk    Source = "asterisk.conf"
	SourceManager     Source = "manager.conf"
	SourceFile        Source = "config file"
)

// Loaded is a Config with the source of every setting, keyed as in the config file
// ("db", "cdr_db", …), and the config file read ("" for none).
type Loaded struct {
	Config  Config
	Sources map[string]Source
	File    string
}

// Entry is one setting as `totalrec config` shows it.
type Entry struct {
	Key    string
	Value  string
	Source Source
}

// Redacted lists every setting, the config file first, with the password of every DSN
// replaced by "****"; nothing it returns contains a password.
func (l Loaded) Redacted() []Entry {
	file, src := l.File, l.Sources["config"]
	if src == "" {
		src = SourceDefault
	}
	out := []Entry{{Key: "config", Value: file, Source: src}}
	for _, k := range settings {
		v := k.get(&l.Config)
		if k.dsn {
			v = RedactDSN(v)
		}
		if k.secret && v != "" {
			v = "****"
		}
		s := l.Sources[k.name]
		if s == "" {
			s = SourceDefault
		}
		out = append(out, Entry{Key: k.name, Value: v, Source: s})
	}
	return out
}

// Origin says in words where key's value came from, for messages: "flag --db",
// "env TOTALREC_DB", "config file /etc/totalrec/totalrec.conf", "freepbx.conf",
// "default". A catalogue DSN left at its default follows data_dir, and says so.
func (l Loaded) Origin(key string) string {
	src := l.Sources[key]
	switch {
	case src == "":
		src = SourceDefault
	case src == SourceFile:
		return "config file " + l.File
	}
	if key == "db" && src == SourceDefault {
		return "the default under data_dir, which comes from " + l.Origin("data_dir")
	}
	return string(src)
}

// FrameAncestorList splits FrameAncestors into origins.
func (c Config) FrameAncestorList() []string {
	return strings.FieldsFunc(c.FrameAncestors, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
}
