package catalog

// The access tables (migrations steps 2 and 3): users, sessions, API tokens, share
// links, signing keys, the audit trail and used sign-on nonces (nonces.go). Secrets
// are never stored: session IDs and API tokens as their SHA-256, passwords as
// argon2id hashes.
//
// totalrec_audit is append-only: this package has no UPDATE or DELETE of it.
var mysqlAuthV1 = []string{
	`CREATE TABLE IF NOT EXISTS totalrec_users (
		id            BIGINT       NOT NULL AUTO_INCREMENT,
		name          VARCHAR(128) NOT NULL,
		role          VARCHAR(16)  NOT NULL,
		scope         TEXT         NOT NULL,
		source        VARCHAR(16)  NOT NULL DEFAULT 'local',
		password_hash VARCHAR(255) NOT NULL DEFAULT '',
		disabled      TINYINT      NOT NULL DEFAULT 0,
		created_at    DATETIME(6)  NOT NULL,
		updated_at    DATETIME(6)  NOT NULL,
		PRIMARY KEY (id),
		UNIQUE KEY uq_name (name)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	`CREATE TABLE IF NOT EXISTS totalrec_sessions (
		id_hash    CHAR(64)     NOT NULL,
		user_id    BIGINT       NOT NULL,
		csrf       CHAR(43)     NOT NULL,
		addr       VARCHAR(64)  NOT NULL DEFAULT '',
		created_at DATETIME(6)  NOT NULL,
		seen_at    DATETIME(6)  NOT NULL,
		PRIMARY KEY (id_hash),
		KEY idx_user (user_id),
		CONSTRAINT fk_totalrec_sessions_user FOREIGN KEY (user_id)
			REFERENCES totalrec_users (id) ON DELETE CASCADE
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	`CREATE TABLE IF NOT EXISTS totalrec_tokens (
		id           BIGINT       NOT NULL AUTO_INCREMENT,
		name         VARCHAR(128) NOT NULL,
		hash         CHAR(64)     NOT NULL,
		scope        TEXT         NOT NULL,
		created_by   VARCHAR(128) NOT NULL DEFAULT '',
		created_at   DATETIME(6)  NOT NULL,
		expires_at   DATETIME(6)  NULL,
		last_used_at DATETIME(6)  NULL,
		PRIMARY KEY (id),
		UNIQUE KEY uq_name (name),
		UNIQUE KEY uq_hash (hash)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	`CREATE TABLE IF NOT EXISTS totalrec_shares (
		id           BIGINT       NOT NULL AUTO_INCREMENT,
		recording_id BIGINT       NOT NULL,
		created_by   VARCHAR(128) NOT NULL,
		created_at   DATETIME(6)  NOT NULL,
		expires_at   DATETIME(6)  NOT NULL,
		revoked_at   DATETIME(6)  NULL,
		PRIMARY KEY (id),
		KEY idx_recording (recording_id)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	`CREATE TABLE IF NOT EXISTS totalrec_keys (
		name       VARCHAR(64)   NOT NULL,
		secret     VARBINARY(64) NOT NULL,
		created_at DATETIME(6)   NOT NULL,
		PRIMARY KEY (name)
	) ENGINE=InnoDB`,
	`CREATE TABLE IF NOT EXISTS totalrec_audit (
		id           BIGINT        NOT NULL AUTO_INCREMENT,
		at           DATETIME(6)   NOT NULL,
		who          VARCHAR(160)  NOT NULL,
		addr         VARCHAR(64)   NOT NULL DEFAULT '',
		action       VARCHAR(32)   NOT NULL,
		recording_id BIGINT        NULL,
		detail       VARCHAR(1024) NOT NULL DEFAULT '',
		PRIMARY KEY (id),
		KEY idx_at (at),
		KEY idx_who (who, id),
		KEY idx_action (action, id)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
}

var sqliteAuthV1 = []string{
	`CREATE TABLE IF NOT EXISTS totalrec_users (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		name          TEXT    NOT NULL UNIQUE,
		role          TEXT    NOT NULL,
		scope         TEXT    NOT NULL,
		source        TEXT    NOT NULL DEFAULT 'local',
		password_hash TEXT    NOT NULL DEFAULT '',
		disabled      INTEGER NOT NULL DEFAULT 0,
		created_at    TEXT    NOT NULL,
		updated_at    TEXT    NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS totalrec_sessions (
		id_hash    TEXT    NOT NULL PRIMARY KEY,
		user_id    INTEGER NOT NULL REFERENCES totalrec_users (id) ON DELETE CASCADE,
		csrf       TEXT    NOT NULL,
		addr       TEXT    NOT NULL DEFAULT '',
		created_at TEXT    NOT NULL,
		seen_at    TEXT    NOT NULL
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS totalrec_sessions_user ON totalrec_sessions (user_id)`,
	`CREATE TABLE IF NOT EXISTS totalrec_tokens (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		name         TEXT    NOT NULL UNIQUE,
		hash         TEXT    NOT NULL UNIQUE,
		scope        TEXT    NOT NULL,
		created_by   TEXT    NOT NULL DEFAULT '',
		created_at   TEXT    NOT NULL,
		expires_at   TEXT,
		last_used_at TEXT
	)`,
	`CREATE TABLE IF NOT EXISTS totalrec_shares (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		recording_id INTEGER NOT NULL,
		created_by   TEXT    NOT NULL,
		created_at   TEXT    NOT NULL,
		expires_at   TEXT    NOT NULL,
		revoked_at   TEXT
	)`,
	`CREATE INDEX IF NOT EXISTS totalrec_shares_recording ON totalrec_shares (recording_id)`,
	`CREATE TABLE IF NOT EXISTS totalrec_keys (
		name       TEXT NOT NULL PRIMARY KEY,
		secret     BLOB NOT NULL,
		created_at TEXT NOT NULL
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS totalrec_audit (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		at           TEXT    NOT NULL,
		who          TEXT    NOT NULL,
		addr         TEXT    NOT NULL DEFAULT '',
		action       TEXT    NOT NULL,
		recording_id INTEGER,
		detail       TEXT    NOT NULL DEFAULT ''
	)`,
	`CREATE INDEX IF NOT EXISTS totalrec_audit_at ON totalrec_audit (at)`,
	`CREATE INDEX IF NOT EXISTS totalrec_audit_who ON totalrec_audit (who, id)`,
	`CREATE INDEX IF NOT EXISTS totalrec_audit_action ON totalrec_audit (action, id)`,
}
