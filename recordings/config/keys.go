package config

import (
	"fmt"
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
