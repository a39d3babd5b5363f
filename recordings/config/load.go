package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultFile is where Load looks for the config file when none is named.
const DefaultFile = "/etc/totalrec/totalrec.conf"

// LoadOptions are Load's inputs besides the filesystem.
type LoadOptions struct {
	// Root is prepended to every path Load discovers by itself (FreePBX's and
	// Asterisk's files, the MySQL sockets, DefaultFile); "" means "/". Tests point it at
	// a fake tree. Paths the user names (--config, password files) are used as given.
	Root string
	// ConfigFile is the --config value, for callers that keep it out of Flags.
	ConfigFile string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Flags holds only the flags the user set, by flag name: "spool", "db", "cdr-db",
	// "data-dir", "listen", "config", and the other keys with "-" for "_".
	Flags map[string]string
}

// Load builds the configuration in layers, each overriding the ones before it:
// defaults, then what a FreePBX install says (so a FreePBX box needs no configuration),
// then the config file, then TOTALREC_* environment variables, then flags. It does not
// validate the result; call Config.Validate.
//
// With no catalogue DSN from any layer, DB is "sqlite:<DataDir>/totalrec.db" for the
// final DataDir.
func Load(opts LoadOptions) (Loaded, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	root := opts.Root
	if root == "" {
		root = "/"
	}
	l := Loaded{Config: Default(), Sources: map[string]Source{"config": SourceDefault}}
	for _, s := range settings {
		l.Sources[s.name] = SourceDefault
	}

	found, err := discoverFreePBX(root)
	if err != nil {
		return Loaded{}, err
	}
	for _, f := range found {
		if err := l.set(f.key, f.value, f.src); err != nil {
			return Loaded{}, fmt.Errorf("apply %s: %w", f.src, err)
		}
	}

	path, src, explicit := configPath(root, opts, getenv)
	if path != "" {
		entries, err := readConfigFile(path)
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			entries, err = nil, nil
		} else if err == nil {
			l.File, l.Sources["config"] = path, src
		}
		if err != nil {
			return Loaded{}, err
		}
		for _, e := range entries {
			if err := l.set(e.key, e.value, SourceFile); err != nil {
				return Loaded{}, fmt.Errorf("%s:%d: %s: %w", path, e.line, e.key, err)
			}
		}
	}

	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			if err := l.set(s.name, v, Source("env "+s.env)); err != nil {
				return Loaded{}, fmt.Errorf("read %s: %w", s.env, err)
			}
		}
	}

	flags := make([]string, 0, len(opts.Flags))
	for f := range opts.Flags {
		flags = append(flags, f)
	}
	sort.Strings(flags) // deterministic errors
	for _, f := range flags {
		if f == "config" {
			continue
		}
		key := flagKey(f)
		if _, ok := lookupSetting(key); !ok {
			return Loaded{}, fmt.Errorf("read flag --%s: no such setting", f)
		}
		if err := l.set(key, opts.Flags[f], Source("flag --"+f)); err != nil {
			return Loaded{}, fmt.Errorf("read flag --%s: %w", f, err)
		}
	}

	if l.Sources["db"] == SourceDefault {
		l.Config.DB = sqliteDSN(l.Config.DataDir)
	}
	if err := l.applyPasswordFiles(); err != nil {
		return Loaded{}, err
	}
	return l, nil
}

// set assigns one key from one source.
func (l *Loaded) set(key, value string, src Source) error {
	s, ok := lookupSetting(key)
	if !ok {
		return fmt.Errorf("unknown key %q", key)
	}
	if err := s.set(&l.Config, value); err != nil {
		return err
	}
	l.Sources[key] = src
	return nil
}

// configPath picks the config file: --config, then TOTALREC_CONFIG, then DefaultFile
// under root if it exists. explicit is false only for the default, which may be absent.
func configPath(root string, opts LoadOptions, getenv func(string) string) (path string, src Source, explicit bool) {
	switch {
	case opts.Flags["config"] != "":
		return opts.Flags["config"], "flag --config", true
	case opts.ConfigFile != "":
		return opts.ConfigFile, "flag --config", true
	case getenv("TOTALREC_CONFIG") != "":
		return getenv("TOTALREC_CONFIG"), "env TOTALREC_CONFIG", true
	}
	return filepath.Join(root, DefaultFile), SourceDefault, false
}

// applyPasswordFiles reads db_password_file and cdr_db_password_file into their DSNs.
func (l *Loaded) applyPasswordFiles() error {
	for _, p := range []struct {
		key  string
		file string
		dsn  *string
	}{
		{"db", l.Config.DBPasswordFile, &l.Config.DB},
		{"cdr_db", l.Config.CDRDBPasswordFile, &l.Config.CDRDB},
	} {
		if p.file == "" {
			continue
		}
		b, err := os.ReadFile(p.file)
		if err != nil {
			return fmt.Errorf("read %s password file: %w", p.key, err)
		}
		pw := strings.TrimRight(string(b), "\r\n")
		if *p.dsn, err = setDSNPassword(*p.dsn, pw); err != nil {
			return fmt.Errorf("apply %s password file %s: %w", p.key, p.file, err)
		}
	}
	return nil
}
