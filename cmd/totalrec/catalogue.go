package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/config"
)

// catalogueUse says what a command may do to the catalogue.
type catalogueUse int

const (
	// usesExisting: the command works on the catalogue as it is. One that does not
	// exist is refused (exit 2), and one whose schema is behind this program is
	// refused too, never migrated.
	usesExisting catalogueUse = iota
	// usesNone: the command never opens the catalogue.
	usesNone
	// createsCatalogue: the command creates the catalogue when there is none and
	// migrates it (catalog.Open applies every step it lacks): the daemon, the jobs
	// that fill the catalogue and the commands that set an installation up.
	createsCatalogue
	// dropsCatalogue: purge. It creates nothing, and drops what it finds whatever
	// the schema's version.
	dropsCatalogue
)

// catalogueUses decides, for every command (its path below "totalrec"), whether
// it may create the catalogue. Reading a catalogue that does not exist must not
// make one: on a FreePBX box the catalogue is tables in the live asterisk
// database, and a mistyped --db would leave an empty SQLite file behind.
var catalogueUses = map[string]catalogueUse{
	"version": usesNone, "config": usesNone, "hook": usesNone, "pause": usesNone,

	"scan": createsCatalogue, "serve": createsCatalogue, "demo": createsCatalogue,
	"user add": createsCatalogue, "token add": createsCatalogue, "webhook add": createsCatalogue,

	"purge": dropsCatalogue,

	"search": usesExisting, "doctor": usesExisting, "migrate-layout": usesExisting, "compress": usesExisting,
	"retention plan": usesExisting, "retention run": usesExisting,
	"hold add": usesExisting, "hold rm": usesExisting, "hold ls": usesExisting,
	"user passwd": usesExisting, "user rm": usesExisting, "user ls": usesExisting,
	"token rm": usesExisting, "token ls": usesExisting, "audit ls": usesExisting,
	"seal": usesExisting, "verify": usesExisting,
	"archive": usesExisting, "archive restore": usesExisting, "archive status": usesExisting,
	"subject find": usesExisting, "subject export": usesExisting, "subject erase": usesExisting,
	"webhook ls": usesExisting, "webhook rm": usesExisting, "webhook retry": usesExisting, "webhook dead": usesExisting,
}

// commandName is a command's path below the root: "user add".
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()), " ")
}

// catalogueUseOf looks a command up; one missing from the table creates nothing.
func catalogueUseOf(command string) catalogueUse {
	if u, ok := catalogueUses[command]; ok {
		return u
	}
	return usesExisting
}

// documentCatalogueUse adds to the help of every command that opens the
// catalogue whether it may create it.
func documentCatalogueUse(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.RunE == nil && c.Run == nil {
			return
		}
		var note string
		switch catalogueUseOf(commandName(c)) {
		case createsCatalogue:
			note = "It creates the catalogue when there is none yet, and migrates its tables."
		case usesExisting:
			note = "It never creates or migrates the catalogue: without one it stops with exit code 2."
		case dropsCatalogue:
			note = "It never creates the catalogue: without one it has nothing to drop and exits 0."
		default:
			return
		}
		if c.Long == "" {
			c.Long = c.Short + "."
		}
		c.Long += "\n\n" + note
	}
	walk(root)
}

// openCatalogue opens the configured catalogue as command may: creating and
// migrating it, or only as it exists. Errors say which catalogue it looked for
// (the DSN without its password) and where that setting came from.
func openCatalogue(ctx context.Context, l config.Loaded, command string, log *slog.Logger) (*catalog.Catalog, error) {
	use := catalogueUseOf(command)
	var opts []catalog.OpenOption
	if use != createsCatalogue {
		opts = append(opts, catalog.Existing())
	}
	cat, err := catalog.Open(ctx, l.Config.DB, log, opts...)
	if err == nil && use == usesExisting {
		if err = cat.CheckSchema(ctx); err != nil {
			cat.Close()
		}
	}
	if err != nil {
		return nil, catalogueError(err, l, command, use)
	}
	return cat, nil
}

func catalogueError(err error, l config.Loaded, command string, use catalogueUse) error {
	where := fmt.Sprintf("db = %s, from %s", config.RedactDSN(l.Config.DB), l.Origin("db"))
	switch {
	case use != usesExisting:
	case errors.Is(err, catalog.ErrNoCatalogue):
		return fmt.Errorf("%w (%s); totalrec %s does not create one: totalrec scan or totalrec serve does", err, where, command)
	case errors.Is(err, catalog.ErrSchemaTooOld):
		return fmt.Errorf("%w (%s); totalrec %s does not migrate it: totalrec scan, or restarting totalrec serve, does", err, where, command)
	}
	return fmt.Errorf("%w (%s)", err, where)
}
