package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globalOptions holds the flags every command shares and the process's streams, so
// that tests run the whole program in-process with their own.
type globalOptions struct {
	configFile string
	spool      string
	db         string
	cdrDB      string
	dataDir    string
	fsRoot     string
	verbose    bool

	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	getenv  func(string) string
	set     map[string]bool // global flags given on the command line
	command string          // the command running, as catalogueUses names it: "user add"
}

// run builds the command tree, executes args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRootCommand(opts)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return exitCode(root.ExecuteContext(ctx), stderr)
}

func newRootCommand(opts *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "totalrec",
		Short: "Total call recording for FreePBX: catalogue, search, playback, retention",
		Long: `totalrec catalogues every call recording in an Asterisk spool, links each to its
call's CDR rows, and searches them. On a FreePBX box it reads the database
credentials and the spool location from FreePBX's own configuration.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			opts.set = map[string]bool{}
			opts.command = commandName(cmd)
			cmd.Flags().Visit(func(f *pflag.Flag) { opts.set[f.Name] = true })
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := cmd.PersistentFlags()
	f.StringVar(&opts.configFile, "config", "", "config file (default /etc/totalrec/totalrec.conf; $TOTALREC_CONFIG)")
	f.StringVar(&opts.spool, "spool", "", "recordings spool root ($TOTALREC_SPOOL)")
	f.StringVar(&opts.db, "db", "", "catalogue: sqlite:PATH or a MySQL DSN ($TOTALREC_DB)")
	f.StringVar(&opts.cdrDB, "cdr-db", "", "CDR database: sqlite:PATH or a MySQL DSN ($TOTALREC_CDR_DB)")
	f.StringVar(&opts.dataDir, "data-dir", "", "data directory (default /var/lib/totalrec; $TOTALREC_DATA_DIR)")
	f.StringVar(&opts.fsRoot, "fs-root", "", "look for FreePBX's configuration under this directory instead of / ($TOTALREC_FS_ROOT)")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "log debug detail")
	_ = f.MarkHidden("fs-root")

	cmd.AddCommand(
		newVersionCommand(opts),
		newConfigCommand(opts),
		newScanCommand(opts),
		newSearchCommand(opts),
		newDoctorCommand(opts),
		newDemoCommand(opts),
		newHookCommand(opts),
		newPurgeCommand(opts),
		newServeCommand(opts),
		newRetentionCommand(opts), newHoldCommand(opts), newMigrateLayoutCommand(opts),
		newUserCommand(opts), newTokenCommand(opts), newAuditCommand(opts),
		newWebhookCommand(opts),
		newSealCommand(opts), newCompressCommand(opts), newArchiveCommand(opts), newVerifyCommand(opts), newSubjectCommand(opts), newPauseCommand(opts),
	)
	documentCatalogueUse(cmd)
	return cmd
}

// logger returns the process logger: text on stderr, debug with --verbose.
func (o *globalOptions) logger() *slog.Logger {
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: level}))
}
