package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/config"
	"github.com/totalrec/totalrec/recordings/daemon"
)

// loadConfig layers defaults, FreePBX's files, our config file, the environment and
// the global flags given on the command line.
func (o *globalOptions) loadConfig() (config.Loaded, error) {
	l, err := config.Load(o.loadOptions())
	if err != nil {
		return config.Loaded{}, fmt.Errorf("load configuration: %w", err)
	}
	if err := l.Config.Validate(); err != nil {
		return config.Loaded{}, fmt.Errorf("configuration: %w", err)
	}
	return l, nil
}

// loadOptions is where the configuration comes from: FreePBX's files under the
// --fs-root, the config file, the environment and the global flags given.
func (o *globalOptions) loadOptions() config.LoadOptions {
	flags := map[string]string{}
	for name, v := range map[string]string{
		"config": o.configFile, "spool": o.spool, "db": o.db, "cdr-db": o.cdrDB, "data-dir": o.dataDir,
	} {
		if o.set[name] {
			flags[name] = v
		}
	}
	root := o.fsRoot
	if root == "" {
		root = o.getenv("TOTALREC_FS_ROOT")
	}
	return config.LoadOptions{Root: root, ConfigFile: o.configFile, Getenv: o.getenv, Flags: flags}
}

// app is what most commands work with: the effective configuration, the catalogue
// and, when configured, the CDR reader.
type app struct {
	cfg config.Config
	loc *time.Location
	cat *catalog.Catalog
	cdr *cdr.Reader // nil when no CDR database is configured
	log *slog.Logger
}

// openApp loads the configuration and opens the catalogue as the running command
// may (catalogueUses); withCDR also opens the CDR database when one is configured.
func (o *globalOptions) openApp(ctx context.Context, withCDR bool) (*app, error) {
	l, err := o.loadConfig()
	if err != nil {
		return nil, err
	}
	a := &app{cfg: l.Config, log: o.logger()}
	if a.loc, err = l.Config.Location(); err != nil {
		return nil, err
	}
	if a.cat, err = openCatalogue(ctx, l, o.command, a.log); err != nil {
		return nil, err
	}
	if withCDR && a.cfg.CDRDB != "" {
		if a.cdr, err = cdr.Open(ctx, a.cfg.CDRDB, a.cfg.CDRTable, cdr.WithLocation(a.loc)); err != nil {
			a.cat.Close()
			return nil, fmt.Errorf("open CDR database: %w", err)
		}
	}
	return a, nil
}

func (a *app) Close() {
	if a.cdr != nil {
		a.cdr.Close()
	}
	a.cat.Close()
}

// env is what the daemon and the scan job work with.
func (a *app) env() daemon.Env {
	return daemon.Env{Config: a.cfg, Catalog: a.cat, CDR: a.cdr, Loc: a.loc, Log: a.log}
}
