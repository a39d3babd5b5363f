package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

type tokenOptions struct {
	scope   string
	expires string
	json    bool
}

func newTokenCommand(opts *globalOptions) *cobra.Command {
	var to tokenOptions
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens for CRMs and scripts",
		Long: `An API token is sent as "Authorization: Bearer TOKEN" to /api/v1 and sees the
recordings of its scope only. It is printed once when made and stored hashed;
token rm revokes it at once. Every change is audited.`,
		Args: cobra.NoArgs,
	}
	add := &cobra.Command{
		Use:     "add NAME",
		Short:   "Make a token and print it once",
		Example: "  totalrec token add crm --scope 100-199 --expires 90d",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return runTokenAdd(cmd.Context(), opts, to, args[0]) },
	}
	add.Flags().StringVar(&to.scope, "scope", "", "extensions the token sees: 100-199,205, pbx1:300-399 (one node's), pbx2:* (a node's every recording) or all (required)")
	add.Flags().StringVar(&to.expires, "expires", "", "lifetime, e.g. 90d or 12h (default: never)")
	rm := &cobra.Command{
		Use:   "rm NAME",
		Short: "Revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runTokenRemove(cmd.Context(), opts, args[0]) },
	}
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the tokens (never the tokens themselves)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runTokenList(cmd.Context(), opts, to) },
	}
	ls.Flags().BoolVar(&to.json, "json", false, "print JSON")
	cmd.AddCommand(add, rm, ls)
	return cmd
}

// parseLifetime reads 90d, 36h, 45m.
func parseLifetime(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3650 {
			return 0, fmt.Errorf("%q: want 1d to 3650d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a lifetime such as 90d or 12h", s)
	}
	return d, nil
}

func runTokenAdd(ctx context.Context, opts *globalOptions, to tokenOptions, name string) error {
	if err := auth.CheckUserName(name); err != nil {
		return usagef("token name: %v", err)
	}
	if to.scope == "" {
		return usagef("--scope is required (e.g. --scope 100-199, or all)")
	}
	scope, err := recordings.ParseScope(to.scope)
	if err != nil {
		return usagef("--scope: %v", err)
	}
	var exp time.Time
	if to.expires != "" {
		d, err := parseLifetime(to.expires)
		if err != nil {
			return usagef("--expires %v", err)
		}
		exp = time.Now().Add(d).Truncate(time.Second)
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	tok, hash := auth.NewAPIToken()
	t, err := a.cat.AddToken(ctx, recordings.APIToken{Name: name, Hash: hash, Scope: scope, CreatedBy: opts.operator(), ExpiresAt: exp})
	if errors.Is(err, recordings.ErrExists) {
		return usagef("a token called %q exists", name)
	}
	if err != nil {
		return err
	}
	if err := opts.auditCLI(ctx, a, "token.add", fmt.Sprintf("token=%s scope=%s expires=%s", t.Name, t.Scope, expiryText(exp, a))); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "token %s (extensions %s, expires %s):\n%s\n(shown once: store it now)\n", t.Name, scopeText(t.Scope), expiryText(exp, a), tok)
	return nil
}

func expiryText(t time.Time, a *app) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(a.loc).Format("2006-01-02 15:04")
}

func runTokenRemove(ctx context.Context, opts *globalOptions, name string) error {
	return removeNamed(ctx, opts, "token", name, func(a *app) error { return a.cat.RemoveToken(ctx, name) },
		fmt.Sprintf("token %s revoked", name))
}

// tokenJSON is a token as `token ls --json` prints it; the token itself is never stored.
type tokenJSON struct {
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	CreatedBy string     `json:"created_by"`
	Created   time.Time  `json:"created"`
	Expires   *time.Time `json:"expires"`
	LastUsed  *time.Time `json:"last_used"`
	Expired   bool       `json:"expired"`
}

func runTokenList(ctx context.Context, opts *globalOptions, to tokenOptions) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	tokens, err := a.cat.Tokens(ctx)
	if err != nil {
		return err
	}
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.In(a.loc)
		return &t
	}
	out := make([]tokenJSON, len(tokens))
	for i, t := range tokens {
		out[i] = tokenJSON{Name: t.Name, Scope: t.Scope.String(), CreatedBy: t.CreatedBy, Created: t.CreatedAt.In(a.loc),
			Expires: opt(t.ExpiresAt), LastUsed: opt(t.LastUsed), Expired: !t.ExpiresAt.IsZero() && !time.Now().Before(t.ExpiresAt)}
	}
	if to.json {
		return writeJSON(opts.stdout, out)
	}
	tw := tabwriter.NewWriter(opts.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tEXTENSIONS\tEXPIRES\tLAST USED\tCREATED BY")
	for i, t := range out {
		used := "never"
		if t.LastUsed != nil {
			used = t.LastUsed.Format("2006-01-02 15:04")
		}
		exp := expiryText(tokens[i].ExpiresAt, a)
		if t.Expired {
			exp += " (expired)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, orNone(t.Scope), exp, used, t.CreatedBy)
	}
	return tw.Flush()
}
