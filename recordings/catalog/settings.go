package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/totalrec/totalrec/recordings"
)

// The settings table (migrations step 7): what an administrator sets in the web
// interface that has no place in a file the command line reads — the interface's
// default language. One row per name; a name without a row is unset and the
// program's default applies. Settings live in the catalogue so that every node
// sharing it sees the same.
var (
	sqliteSettingsV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_settings (
			name       TEXT NOT NULL PRIMARY KEY,
			value      TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			updated_by TEXT NOT NULL DEFAULT '')`,
	}
	mysqlSettingsV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_settings (
			name       VARCHAR(64)   NOT NULL,
			value      VARCHAR(1024) NOT NULL,
			updated_at DATETIME(6)   NOT NULL,
			updated_by VARCHAR(255)  NOT NULL DEFAULT '',
			PRIMARY KEY (name)
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	}
)

// Lengths of the settings columns.
const (
	lenSettingName  = 64
	lenSettingValue = 1024
)

// Setting returns the value of setting name, "" when it is unset.
func (c *Catalog) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := c.db.QueryRowContext(ctx, `SELECT value FROM totalrec_settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, nil
}

// SetSetting stores value for setting name, set by who; "" unsets it. A name or
// value longer than its column is refused with recordings.ErrInvalid.
func (c *Catalog) SetSetting(ctx context.Context, name, value, who string) error {
	if name == "" || len(name) > lenSettingName || len(value) > lenSettingValue {
		return fmt.Errorf("set setting %q: name or value too long: %w", clip(name, lenSettingName), recordings.ErrInvalid)
	}
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_settings WHERE name = ?`, name); err != nil || value == "" {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO totalrec_settings (name, value, updated_at, updated_by) VALUES (?, ?, ?, ?)`,
			name, value, c.timeArg(c.now()), clip(who, lenText))
		return err
	})
	if err != nil {
		return fmt.Errorf("set setting %s: %w", name, err)
	}
	return nil
}
