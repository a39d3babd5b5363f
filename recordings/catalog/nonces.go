package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Used single sign-on nonces live in totalrec_sso_nonces (auth step 2), not in
// the daemon's memory: a token accepted once is refused after a restart and by
// every other server on the same catalogue, for as long as it would pass the
// time checks.

// UseNonce records that the sign-on token with this nonce was accepted and
// reports whether this call was its first use; false means the nonce was
// already recorded (a replay). The check and the mark are one INSERT on the
// nonce's primary key, so two servers racing with the same token cannot both
// win: the loser's duplicate key is the answer. The nonce is kept until until;
// rows expired at now are deleted first.
func (c *Catalog) UseNonce(ctx context.Context, nonce string, until, now time.Time) (bool, error) {
	if nonce == "" || len(nonce) > 64 {
		return false, fmt.Errorf("use nonce: empty or longer than 64 bytes: %w", recordings.ErrInvalid)
	}
	if _, err := c.db.ExecContext(ctx, `DELETE FROM totalrec_sso_nonces WHERE expires_at < ?`, c.timeArg(now)); err != nil {
		return false, fmt.Errorf("use nonce: prune: %w", err)
	}
	_, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_sso_nonces (nonce, expires_at) VALUES (?, ?)`,
		nonce, c.timeArg(until))
	if isDuplicateKey(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("use nonce: %w", err)
	}
	return true, nil
}

// The nonces' table (migrations step 3). expires_at is indexed for the pruning.
var (
	mysqlAuthV2 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_sso_nonces (
			nonce      VARCHAR(64) NOT NULL,
			expires_at DATETIME(6) NOT NULL,
			PRIMARY KEY (nonce),
			KEY idx_expires (expires_at)
		) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
	}
	sqliteAuthV2 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_sso_nonces (
			nonce      TEXT NOT NULL PRIMARY KEY,
			expires_at TEXT NOT NULL
		) WITHOUT ROWID`,
		`CREATE INDEX IF NOT EXISTS totalrec_sso_nonces_expires ON totalrec_sso_nonces (expires_at)`,
	}
)
