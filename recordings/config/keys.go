package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// setting describes one configuration key: its name in the config file (a [section]
// header prefixes it: [cdr] db = … is cdr_db), its environment variable, and how to
// read and write its Config field. Its command-line flag is the name with "-" for "_".
type setting struct {
	name   string
	env    string
	dsn    bool // a DSN, whose password Redacted hides
	secret bool // a secret, which Redacted hides whole
	get    func(*Config) string
	set    func(*Config, string) error
}

// settings is the table of every key, in the order `totalrec config` lists them.
var settings = [...]setting{
	strKey("spool", "TOTALREC_SPOOL", func(c *Config) *string { return &c.Spool }),
	dsnKey("db", "TOTALREC_DB", func(c *Config) *string { return &c.DB }),
	strKey("db_password_file", "TOTALREC_DB_PASSWORD_FILE", func(c *Config) *string { return &c.DBPasswordFile }),
	dsnKey("cdr_db", "TOTALREC_CDR_DB", func(c *Config) *string { return &c.CDRDB }),
	strKey("cdr_db_password_file", "TOTALREC_CDR_DB_PASSWORD_FILE", func(c *Config) *string { return &c.CDRDBPasswordFile }),
	strKey("cdr_table", "TOTALREC_CDR_TABLE", func(c *Config) *string { return &c.CDRTable }),
	durKey("cdr_window", "TOTALREC_CDR_WINDOW", func(c *Config) *time.Duration { return &c.CDRWindow }),
	strKey("data_dir", "TOTALREC_DATA_DIR", func(c *Config) *string { return &c.DataDir }),
	strKey("listen", "TOTALREC_LISTEN", func(c *Config) *string { return &c.Listen }),
	strKey("node", "TOTALREC_NODE", func(c *Config) *string { return &c.Node }),
	strKey("nodes", "TOTALREC_NODES", func(c *Config) *string { return &c.Nodes }),
	secretKey("node_secret", "TOTALREC_NODE_SECRET", func(c *Config) *string { return &c.NodeSecret }),
	strKey("timezone", "TOTALREC_TZ", func(c *Config) *string { return &c.Timezone }),
	durKey("scan_interval", "TOTALREC_SCAN_INTERVAL", func(c *Config) *time.Duration { return &c.ScanInterval }),
	secretKey("sso_secret", "TOTALREC_SSO_SECRET", func(c *Config) *string { return &c.SSOSecret }),
	strKey("public_url", "TOTALREC_PUBLIC_URL", func(c *Config) *string { return &c.PublicURL }),
	strKey("frame_ancestors", "TOTALREC_FRAME_ANCESTORS", func(c *Config) *string { return &c.FrameAncestors }),
	strKey("base_path", "TOTALREC_BASE_PATH", func(c *Config) *string { return &c.BasePath }),
	durKey("session_idle", "TOTALREC_SESSION_IDLE", func(c *Config) *time.Duration { return &c.SessionIdle }),
	durKey("session_max", "TOTALREC_SESSION_MAX", func(c *Config) *time.Duration { return &c.SessionMax }),
	strKey("retention_policy", "TOTALREC_RETENTION_POLICY", func(c *Config) *string { return &c.RetentionPolicy }),
	strKey("manifest_key", "TOTALREC_MANIFEST_KEY", func(c *Config) *string { return &c.ManifestKey }),
	strKey("ami_address", "TOTALREC_AMI_ADDRESS", func(c *Config) *string { return &c.AMIAddress }),
	strKey("ami_user", "TOTALREC_AMI_USER", func(c *Config) *string { return &c.AMIUser }),
	secretKey("ami_secret", "TOTALREC_AMI_SECRET", func(c *Config) *string { return &c.AMISecret }),
	strKey("compress", "TOTALREC_COMPRESS", func(c *Config) *string { return &c.Compress }),
	strKey("compress_held", "TOTALREC_COMPRESS_HELD", func(c *Config) *string { return &c.CompressHeld }),
	strKey("archive_endpoint", "TOTALREC_ARCHIVE_ENDPOINT", func(c *Config) *string { return &c.Archive.Endpoint }),
	strKey("archive_bucket", "TOTALREC_ARCHIVE_BUCKET", func(c *Config) *string { return &c.Archive.Bucket }),
	strKey("archive_prefix", "TOTALREC_ARCHIVE_PREFIX", func(c *Config) *string { return &c.Archive.Prefix }),
	strKey("archive_region", "TOTALREC_ARCHIVE_REGION", func(c *Config) *string { return &c.Archive.Region }),
	strKey("archive_access_key", "TOTALREC_ARCHIVE_ACCESS_KEY", func(c *Config) *string { return &c.Archive.AccessKey }),
	secretKey("archive_secret_key", "TOTALREC_ARCHIVE_SECRET_KEY", func(c *Config) *string { return &c.Archive.SecretKey }),
	strKey("archive_ca_file", "TOTALREC_ARCHIVE_CA_FILE", func(c *Config) *string { return &c.Archive.CAFile }),
	dayKey("archive_after", "TOTALREC_ARCHIVE_AFTER", func(c *Config) *time.Duration { return &c.Archive.After }),
	dayKey("archive_keep_restored", "TOTALREC_ARCHIVE_KEEP_RESTORED", func(c *Config) *time.Duration { return &c.Archive.KeepRestored }),
	pctKey("archive_min_free", "TOTALREC_ARCHIVE_MIN_FREE", func(c *Config) *float64 { return &c.Archive.MinFree }),
}

func secretKey(name, env string, field func(*Config) *string) setting {
	s := strKey(name, env, field)
	s.secret = true
	return s
}

func strKey(name, env string, field func(*Config) *string) setting {
	return setting{
		name: name, env: env,
		get: func(c *Config) string { return *field(c) },
		set: func(c *Config, v string) error { *field(c) = v; return nil },
	}
}

func dsnKey(name, env string, field func(*Config) *string) setting {
	s := strKey(name, env, field)
	s.dsn = true
	return s
}

func durKey(name, env string, field func(*Config) *time.Duration) setting {
	return setting{
		name: name, env: env,
		get: func(c *Config) string { return field(c).String() },
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("parse duration: %w", err)
			}
			*field(c) = d
			return nil
		},
	}
}

// dayKey is durKey that also takes whole days: "30d".
func dayKey(name, env string, field func(*Config) *time.Duration) setting {
	s := durKey(name, env, field)
	s.get = func(c *Config) string {
		if d := *field(c); d > 0 && d%(24*time.Hour) == 0 {
			return fmt.Sprintf("%dd", d/(24*time.Hour))
		}
		return field(c).String()
	}
	parse := s.set
	s.set = func(c *Config, v string) error {
		if n, ok := strings.CutSuffix(v, "d"); ok {
			days, err := strconv.Atoi(n)
			if err != nil || days < 0 {
				return fmt.Errorf("parse duration: %q is not a whole number of days", v)
			}
			*field(c) = time.Duration(days) * 24 * time.Hour
			return nil
		}
		return parse(c, v)
	}
	return s
}

// pctKey is a percentage: "15%" or "15".
func pctKey(name, env string, field func(*Config) *float64) setting {
	return setting{
		name: name, env: env,
		get: func(c *Config) string { return strconv.FormatFloat(*field(c), 'f', -1, 64) + "%" },
		set: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "%"), 64)
			if err != nil {
				return fmt.Errorf("parse percentage: %q is not a number of percent, e.g. 15%%", v)
			}
			*field(c) = f
			return nil
		},
	}
}

// lookupSetting finds a key by its config-file name.
func lookupSetting(name string) (setting, bool) {
	for _, s := range settings {
		if s.name == name {
			return s, true
		}
	}
	return setting{}, false
}

// flagKey turns a flag name ("cdr-db") into its key ("cdr_db").
func flagKey(flag string) string { return strings.ReplaceAll(flag, "-", "_") }
