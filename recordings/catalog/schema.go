package catalog

// The catalogue's own tables (migrations step 1). The two dialects hold the same
// columns; only types differ.
//
// Paths and node names are byte strings: VARBINARY on MySQL, so that the unique key
// (node, path) compares bytes — "a.WAV" and "a.wav" are two files — and fits InnoDB's
// 3072-byte key limit (64 + 1024 bytes), which utf8mb4 VARCHAR(1024) would not. Other
// text columns use utf8mb4_bin: comparisons are exact on both dialects.
//
// Times are UTC: DATETIME(6) on MySQL, fixed-width text ("2006-01-02 15:04:05.000000")
// on SQLite, so that text order is time order.
//
// Indexes, and the queries they serve (EXPLAIN on MariaDB 10.11 with 400,000 rows;
// see doc.go for the plans):
//   - idx_time (call_time, id, state, duration_ms, cdr_disposition; node since
//     migration step 15): time-sorted search and keyset pages. id comes right after
//     call_time so that the index order is the sort order with its tie-breaker (no
//     filesort); the trailing columns let the state, duration, disposition and node
//     filters and the capped count run on the index alone (index condition pushdown /
//     covering), without reading rows.
//   - idx_duration (duration_ms, id, call_time, state): duration-sorted search.
//   - idx_linkedid, idx_uniqueid: every recording of a call (ByLinkedID, LinkedID filter).
//   - idx_dir (node, dir): the scanner's per-directory diff.
//   - idx_cdr_due (cdr_status, next_cdr_at): the enrichment queue.
//   - totalrec_numbers PRIMARY KEY (num_rev, call_time, recording_id): number and
//     extension search as a range on the reversed digits, with the call time in the key
//     so that a date range is checked on the index; clustered on InnoDB. Its presence
//     column (step 7, search_keys.go) lets a search by number count on the keys alone.
var mysqlSchemaV1 = []string{
	`CREATE TABLE IF NOT EXISTS totalrec_recordings (
		id                BIGINT        NOT NULL AUTO_INCREMENT,
		node              VARBINARY(64)   NOT NULL DEFAULT '',
		storage           VARCHAR(32)   NOT NULL DEFAULT 'local',
		path              VARBINARY(1024) NOT NULL,
		dir               VARBINARY(1024) NOT NULL,
		size              BIGINT        NOT NULL DEFAULT 0,
		mtime             DATETIME(6)   NOT NULL,
		format            VARCHAR(16)   NOT NULL DEFAULT '',
		duration_ms       BIGINT        NOT NULL DEFAULT 0,
		state             VARCHAR(16)   NOT NULL,
		name_type         VARCHAR(32)   NOT NULL DEFAULT '',
		name_dest         VARCHAR(255)  NOT NULL DEFAULT '',
		name_from         VARCHAR(255)  NOT NULL DEFAULT '',
		name_time         DATETIME(6)   NULL,
		uniqueid          VARCHAR(150)  NOT NULL DEFAULT '',
		linkedid          VARCHAR(150)  NOT NULL DEFAULT '',
		call_time         DATETIME(6)   NOT NULL,
		direction         VARCHAR(16)   NOT NULL DEFAULT '',
		cdr_status        VARCHAR(16)   NOT NULL DEFAULT 'pending',
		cdr_attempts      INT           NOT NULL DEFAULT 0,
		next_cdr_at       DATETIME(6)   NULL,
		cdr_calldate      DATETIME(6)   NULL,
		cdr_src           VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_dst           VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_cnum          VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_cnam          VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_did           VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_channel       VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_dstchannel    VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_lastapp       VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_disposition   VARCHAR(32)   NOT NULL DEFAULT '',
		cdr_duration      INT           NOT NULL DEFAULT 0,
		cdr_billsec       INT           NOT NULL DEFAULT 0,
		cdr_uniqueid      VARCHAR(150)  NOT NULL DEFAULT '',
		cdr_accountcode   VARCHAR(255)  NOT NULL DEFAULT '',
		cdr_recordingfile VARCHAR(255)  NOT NULL DEFAULT '',
		held              TINYINT       NOT NULL DEFAULT 0,
		deleted_at        DATETIME(6)   NULL,
		deleted_reason    VARCHAR(255)  NOT NULL DEFAULT '',
		created_at        DATETIME(6)   NOT NULL,
		updated_at        DATETIME(6)   NOT NULL,
		PRIMARY KEY (id),
		UNIQUE KEY uq_path (node, path),
		KEY idx_dir (node, dir),
		KEY idx_time (call_time, id, state, duration_ms, cdr_disposition),
		KEY idx_duration (duration_ms, id, call_time, state),
		KEY idx_linkedid (linkedid),
		KEY idx_uniqueid (uniqueid),
		KEY idx_cdr_due (cdr_status, next_cdr_at)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC`,
	`CREATE TABLE IF NOT EXISTS totalrec_numbers (
		num_rev      VARBINARY(32) NOT NULL,
		call_time    DATETIME(6)   NOT NULL,
		recording_id BIGINT        NOT NULL,
		PRIMARY KEY (num_rev, call_time, recording_id),
		KEY idx_recording (recording_id),
		CONSTRAINT fk_totalrec_numbers_recording FOREIGN KEY (recording_id)
			REFERENCES totalrec_recordings (id) ON DELETE CASCADE
	) ENGINE=InnoDB`,
	`CREATE TABLE IF NOT EXISTS totalrec_dirs (
		node        VARBINARY(64)   NOT NULL DEFAULT '',
		path        VARBINARY(1024) NOT NULL,
		mtime       DATETIME(6)   NULL,
		files       INT           NOT NULL DEFAULT 0,
		fingerprint VARCHAR(255)  NOT NULL DEFAULT '',
		PRIMARY KEY (node, path)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
}

var sqliteSchemaV1 = []string{
	`CREATE TABLE IF NOT EXISTS totalrec_recordings (
		id                INTEGER PRIMARY KEY AUTOINCREMENT,
		node              TEXT    NOT NULL DEFAULT '',
		storage           TEXT    NOT NULL DEFAULT 'local',
		path              TEXT    NOT NULL,
		dir               TEXT    NOT NULL,
		size              INTEGER NOT NULL DEFAULT 0,
		mtime             TEXT    NOT NULL,
		format            TEXT    NOT NULL DEFAULT '',
		duration_ms       INTEGER NOT NULL DEFAULT 0,
		state             TEXT    NOT NULL,
		name_type         TEXT    NOT NULL DEFAULT '',
		name_dest         TEXT    NOT NULL DEFAULT '',
		name_from         TEXT    NOT NULL DEFAULT '',
		name_time         TEXT,
		uniqueid          TEXT    NOT NULL DEFAULT '',
		linkedid          TEXT    NOT NULL DEFAULT '',
		call_time         TEXT    NOT NULL,
		direction         TEXT    NOT NULL DEFAULT '',
		cdr_status        TEXT    NOT NULL DEFAULT 'pending',
		cdr_attempts      INTEGER NOT NULL DEFAULT 0,
		next_cdr_at       TEXT,
		cdr_calldate      TEXT,
		cdr_src           TEXT    NOT NULL DEFAULT '',
		cdr_dst           TEXT    NOT NULL DEFAULT '',
		cdr_cnum          TEXT    NOT NULL DEFAULT '',
		cdr_cnam          TEXT    NOT NULL DEFAULT '',
		cdr_did           TEXT    NOT NULL DEFAULT '',
		cdr_channel       TEXT    NOT NULL DEFAULT '',
		cdr_dstchannel    TEXT    NOT NULL DEFAULT '',
		cdr_lastapp       TEXT    NOT NULL DEFAULT '',
		cdr_disposition   TEXT    NOT NULL DEFAULT '',
		cdr_duration      INTEGER NOT NULL DEFAULT 0,
		cdr_billsec       INTEGER NOT NULL DEFAULT 0,
		cdr_uniqueid      TEXT    NOT NULL DEFAULT '',
		cdr_accountcode   TEXT    NOT NULL DEFAULT '',
		cdr_recordingfile TEXT    NOT NULL DEFAULT '',
		held              INTEGER NOT NULL DEFAULT 0,
		deleted_at        TEXT,
		deleted_reason    TEXT    NOT NULL DEFAULT '',
		created_at        TEXT    NOT NULL,
		updated_at        TEXT    NOT NULL,
		UNIQUE (node, path)
	)`,
	`CREATE INDEX IF NOT EXISTS totalrec_recordings_dir ON totalrec_recordings (node, dir)`,
	`CREATE INDEX IF NOT EXISTS totalrec_recordings_time ON totalrec_recordings (call_time, id, state, duration_ms, cdr_disposition)`,
	`CREATE INDEX IF NOT EXISTS totalrec_recordings_duration ON totalrec_recordings (duration_ms, id, call_time, state)`,
	`CREATE INDEX IF NOT EXISTS totalrec_recordings_linkedid ON totalrec_recordings (linkedid)`,
	`CREATE INDEX IF NOT EXISTS totalrec_recordings_uniqueid ON totalrec_recordings (uniqueid)`,
	`CREATE INDEX IF NOT EXISTS totalrec_recordings_cdr_due ON totalrec_recordings (cdr_status, next_cdr_at)`,
	`CREATE TABLE IF NOT EXISTS totalrec_numbers (
		num_rev      TEXT    NOT NULL,
		call_time    TEXT    NOT NULL,
		recording_id INTEGER NOT NULL REFERENCES totalrec_recordings (id) ON DELETE CASCADE,
		PRIMARY KEY (num_rev, call_time, recording_id)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS totalrec_numbers_recording ON totalrec_numbers (recording_id)`,
	`CREATE TABLE IF NOT EXISTS totalrec_dirs (
		node        TEXT    NOT NULL DEFAULT '',
		path        TEXT    NOT NULL,
		mtime       TEXT,
		files       INTEGER NOT NULL DEFAULT 0,
		fingerprint TEXT    NOT NULL DEFAULT '',
		PRIMARY KEY (node, path)
	) WITHOUT ROWID`,
}
