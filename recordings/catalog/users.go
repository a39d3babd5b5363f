package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

const userCols = `id, name, role, scope, source, password_hash, disabled, created_at, updated_at`

func scanUser(s scanner) (recordings.User, error) {
	var (
		u                recordings.User
		role, scope      string
		disabled         int
		created, updated nullTime
	)
	if err := s.Scan(&u.ID, &u.Name, &role, &scope, &u.Source, &u.PasswordHash, &disabled, &created, &updated); err != nil {
		return u, err
	}
	var err error
	if u.Scope, err = recordings.ParseScope(scope); err != nil {
		return u, fmt.Errorf("user %q: stored %w", u.Name, err)
	}
	u.Role, u.Disabled, u.CreatedAt, u.UpdatedAt = recordings.Role(role), disabled != 0, created.T, updated.T
	return u, nil
}

// AddUser stores a new user and returns it with its ID; a taken name is recordings.ErrExists.
func (c *Catalog) AddUser(ctx context.Context, u recordings.User) (recordings.User, error) {
	if u.Source == "" {
		u.Source = recordings.SourceLocal
	}
	now := c.now()
	u.CreatedAt, u.UpdatedAt = dbTimeOf(now), dbTimeOf(now)
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return u, fmt.Errorf("add user %q: %w", u.Name, err)
	}
	defer tx.Rollback()
	var one int
	switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM totalrec_users WHERE name = ?`, u.Name).Scan(&one); {
	case err == nil:
		return u, fmt.Errorf("add user %q: %w", u.Name, recordings.ErrExists)
	case !errors.Is(err, sql.ErrNoRows):
		return u, fmt.Errorf("add user %q: %w", u.Name, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO totalrec_users (name, role, scope, source, password_hash, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.Name, string(u.Role), u.Scope.String(), u.Source, u.PasswordHash,
		boolInt(u.Disabled), c.timeArg(now), c.timeArg(now))
	if isDuplicateKey(err) { // added meanwhile, between the check and the insert
		return u, fmt.Errorf("add user %q: %w", u.Name, recordings.ErrExists)
	}
	if err != nil {
		return u, fmt.Errorf("add user %q: %w", u.Name, err)
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return u, fmt.Errorf("add user %q: %w", u.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return u, fmt.Errorf("add user %q: %w", u.Name, err)
	}
	return u, nil
}

// UserByName returns the user called name, or recordings.ErrNotFound.
func (c *Catalog) UserByName(ctx context.Context, name string) (recordings.User, error) {
	u, err := scanUser(c.rdb.QueryRowContext(ctx, `SELECT `+userCols+` FROM totalrec_users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("get user %q: %w", clip(name, 40), recordings.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("get user %q: %w", clip(name, 40), err)
	}
	return u, nil
}

// UserByID returns the user with the given ID, or recordings.ErrNotFound.
func (c *Catalog) UserByID(ctx context.Context, id int64) (recordings.User, error) {
	u, err := scanUser(c.rdb.QueryRowContext(ctx, `SELECT `+userCols+` FROM totalrec_users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("get user %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// Users lists every user by name.
func (c *Catalog) Users(ctx context.Context) ([]recordings.User, error) {
	out, err := sqlrows.All(ctx, c.rdb, scanUser, `SELECT `+userCols+` FROM totalrec_users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UpdateUser stores u's role, scope and disabled flag. Disabling a user, or
// changing their role or scope, ends their sessions: the next request signs in
// again with the new rights.
func (c *Catalog) UpdateUser(ctx context.Context, u recordings.User) error {
	return c.changeUser(ctx, u.ID, "update user", `role = ?, scope = ?, disabled = ?`,
		string(u.Role), u.Scope.String(), boolInt(u.Disabled))
}

// SetPassword replaces a user's password hash and ends their sessions.
func (c *Catalog) SetPassword(ctx context.Context, id int64, hash string) error {
	return c.changeUser(ctx, id, "set password", `password_hash = ?`, hash)
}

// changeUser updates one user's columns and deletes their sessions in one
// transaction.
func (c *Catalog) changeUser(ctx context.Context, id int64, what, set string, args ...any) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE totalrec_users SET `+set+`, updated_at = ? WHERE id = ?`,
		append(args, c.timeArg(c.now()), id)...)
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("%s %d: %w", what, id, errors.Join(err, recordings.ErrNotFound))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_sessions WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("%s %d: end sessions: %w", what, id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	return nil
}

// RemoveUser deletes the user called name and their sessions.
func (c *Catalog) RemoveUser(ctx context.Context, name string) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove user %q: %w", name, err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM totalrec_users WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("remove user %q: %w", name, recordings.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("remove user %q: %w", name, err)
	}
	for _, q := range []string{`DELETE FROM totalrec_sessions WHERE user_id = ?`, `DELETE FROM totalrec_users WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("remove user %q: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove user %q: %w", name, err)
	}
	return nil
}

// EnsureUser returns the user called u.Name, adding u when there is none.
func (c *Catalog) EnsureUser(ctx context.Context, u recordings.User) (recordings.User, error) {
	have, err := c.UserByName(ctx, u.Name)
	if err == nil || !errors.Is(err, recordings.ErrNotFound) {
		return have, err
	}
	added, err := c.AddUser(ctx, u)
	if errors.Is(err, recordings.ErrExists) { // added meanwhile by another request
		return c.UserByName(ctx, u.Name)
	}
	return added, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
