package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

type userOptions struct {
	role          string
	ext           string
	passwordStdin bool
	json          bool
}

func newUserCommand(opts *globalOptions) *cobra.Command {
	var uo userOptions
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the people who sign in to the web interface",
		Long: `Local users sign in to the web interface with a name and a password (hashed with
argon2id). Roles: admin (every recording, users, audit trail), supervisor (the
recordings of their extensions, share links), user (the recordings of their
extensions). FreePBX administrators need no account here: the FreePBX module
signs them in as "freepbx:NAME". Every change is audited.`,
		Args: cobra.NoArgs,
	}
	add := &cobra.Command{
		Use:     "add NAME",
		Short:   "Add a user; without --password-stdin a random password is printed once",
		Example: "  totalrec user add anna --role supervisor --ext 100-199,205\n  echo 's3cret-pass' | totalrec user add bob --role user --ext 101 --password-stdin",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return runUserAdd(cmd.Context(), opts, uo, args[0]) },
	}
	add.Flags().StringVar(&uo.role, "role", "user", "admin, supervisor or user")
	add.Flags().StringVar(&uo.ext, "ext", "", "extensions the user sees: 100-199,205, pbx1:300-399 (one node's), pbx2:* (a node's every recording) or all (admins see all)")
	passwd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password (random and printed once without --password-stdin); ends their sessions",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runUserPasswd(cmd.Context(), opts, uo, args[0]) },
	}
	for _, c := range []*cobra.Command{add, passwd} {
		c.Flags().BoolVar(&uo.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	}
	rm := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a user and end their sessions",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runUserRemove(cmd.Context(), opts, args[0]) },
	}
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the users",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runUserList(cmd.Context(), opts, uo) },
	}
	ls.Flags().BoolVar(&uo.json, "json", false, "print JSON")
	cmd.AddCommand(add, passwd, rm, ls)
	return cmd
}

// operator names who runs a command, for the audit trail: "cli:" and the login.
func (o *globalOptions) operator() string {
	return "cli:" + o.osUser()
}

// auditCLI appends a command's change to the audit trail.
func (o *globalOptions) auditCLI(ctx context.Context, a *app, action, detail string) error {
	return a.cat.Audit(ctx, recordings.AuditEntry{Who: o.operator(), Addr: "local", Action: action, Detail: detail})
}

// newPassword reads the password from stdin with --password-stdin, or makes a
// random one and says it will be printed.
func (o *globalOptions) newPassword(fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return auth.NewSecret(12), true, nil
	}
	line, err := bufio.NewReader(o.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	if err := auth.CheckPassword(pw); err != nil {
		return "", false, usagef("%v", err)
	}
	return pw, false, nil
}

func runUserAdd(ctx context.Context, opts *globalOptions, uo userOptions, name string) error {
	if err := auth.CheckUserName(name); err != nil {
		return usagef("%v", err)
	}
	role, err := recordings.ParseRole(uo.role)
	if err != nil {
		return usagef("--role: %v", err)
	}
	scope := recordings.AllScope
	if role != recordings.RoleAdmin {
		if uo.ext == "" {
			return usagef("--ext is required for role %s (e.g. --ext 100-199,205, or all)", role)
		}
		if scope, err = recordings.ParseScope(uo.ext); err != nil {
			return usagef("--ext: %v", err)
		}
	}
	pw, generated, err := opts.newPassword(uo.passwordStdin)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams)
	if err != nil {
		return err
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.cat.AddUser(ctx, recordings.User{Name: name, Role: role, Scope: scope, PasswordHash: hash})
	if errors.Is(err, recordings.ErrExists) {
		return usagef("a user called %q exists (totalrec user passwd %s changes the password)", name, name)
	}
	if err != nil {
		return err
	}
	if err := opts.auditCLI(ctx, a, "user.add", fmt.Sprintf("user=%s role=%s scope=%s", u.Name, u.Role, u.Scope)); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "added %s (%s, extensions %s)\n", u.Name, u.Role, scopeText(u.Scope))
	if generated {
		fmt.Fprintf(opts.stdout, "password: %s\n(shown once; change it with totalrec user passwd %s)\n", pw, u.Name)
	}
	return nil
}

func runUserPasswd(ctx context.Context, opts *globalOptions, uo userOptions, name string) error {
	pw, generated, err := opts.newPassword(uo.passwordStdin)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams)
	if err != nil {
		return err
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.cat.UserByName(ctx, name)
	if errors.Is(err, recordings.ErrNotFound) {
		return usagef("no user called %q", name)
	}
	if err != nil {
		return err
	}
	if u.Source != recordings.SourceLocal {
		return usagef("%s signs in through FreePBX and has no password here", name)
	}
	if err := a.cat.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := opts.auditCLI(ctx, a, "user.passwd", "user="+name); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "password of %s changed; their sessions are ended\n", name)
	if generated {
		fmt.Fprintf(opts.stdout, "password: %s\n(shown once)\n", pw)
	}
	return nil
}

func runUserRemove(ctx context.Context, opts *globalOptions, name string) error {
	return removeNamed(ctx, opts, "user", name, func(a *app) error { return a.cat.RemoveUser(ctx, name) },
		fmt.Sprintf("removed %s; their sessions are ended", name))
}

// removeNamed removes the user or token (kind) called name with remove, puts it on
// the audit trail and prints done; an unknown name is a usage error.
func removeNamed(ctx context.Context, opts *globalOptions, kind, name string, remove func(*app) error, done string) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := remove(a); errors.Is(err, recordings.ErrNotFound) {
		return usagef("no %s called %q", kind, name)
	} else if err != nil {
		return err
	}
	if err := opts.auditCLI(ctx, a, kind+".rm", kind+"="+name); err != nil {
		return err
	}
	fmt.Fprintln(opts.stdout, done)
	return nil
}

// userJSON is a user as `user ls --json` prints it.
type userJSON struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	Scope    string    `json:"scope"`
	Source   string    `json:"source"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
}

func runUserList(ctx context.Context, opts *globalOptions, uo userOptions) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := a.cat.Users(ctx)
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = userJSON{Name: u.Name, Role: string(u.Role), Scope: u.Scope.String(), Source: u.Source, Disabled: u.Disabled,
			Created: u.CreatedAt.In(a.loc)}
	}
	if uo.json {
		return writeJSON(opts.stdout, out)
	}
	tw := tabwriter.NewWriter(opts.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tEXTENSIONS\tSOURCE\tSTATE\tCREATED")
	for _, u := range out {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, orNone(u.Scope), u.Source, state, u.Created.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// scopeText writes a scope for people.
func scopeText(s recordings.Scope) string { return orNone(s.String()) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
