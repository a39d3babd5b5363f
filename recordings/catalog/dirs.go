package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"path"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// idsPerStatement keeps IN lists short.
const idsPerStatement = 500

// DirFiles returns the recordings catalogued directly in dir on node ("" is the spool
// root, "2026/11/26" a day directory), keyed by base name, whatever their state.
func (c *Catalog) DirFiles(ctx context.Context, node, dir string) (map[string]recordings.FileStat, error) {
	out := map[string]recordings.FileStat{}
	if len(node) > maxNode || len(dir) > maxPath {
		return out, nil
	}
	err := sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		var (
			f       recordings.FileStat
			p, kept string
			m       nullTime
		)
		if err := s.Scan(&f.ID, &p, &f.Size, &m, &f.State, &kept); err != nil {
			return err
		}
		f.ModTime, f.Archived = m.T, kept != recordings.StorageLocal
		out[path.Base(p)] = f
		return nil
	}, `SELECT id, path, size, mtime, state, storage FROM totalrec_recordings WHERE node = ? AND dir = ?`, node, dir)
	if err != nil {
		return nil, fmt.Errorf("list catalogued files of %q: %w", dir, err)
	}
	return out, nil
}

// LiveDirsUnder lists the directories below dir ("" for the spool root) that hold
// recordings on disk (neither missing, deleted nor archived), whether or not a scan ever listed them
// (the hook and the journal catalogue files of directories no scan has seen yet).
func (c *Catalog) LiveDirsUnder(ctx context.Context, node, dir string) ([]string, error) {
	lo, hi := dir+"/", dir+"0" // '0' follows '/': every path below dir sorts between
	if dir == "" {
		lo, hi = "", "\xff"
	}
	out, err := sqlrows.All(ctx, c.rdb, scanString,
		`SELECT DISTINCT dir FROM totalrec_recordings WHERE node = ? AND dir > ? AND dir < ? AND state NOT IN ('missing', 'deleted') AND storage = 'local'`,
		node, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("list directories below %q: %w", dir, err)
	}
	return out, nil
}

// Dirs returns node's directory fingerprints keyed by path.
func (c *Catalog) Dirs(ctx context.Context, node string) (map[string]recordings.DirMark, error) {
	out := map[string]recordings.DirMark{}
	err := sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		var (
			d recordings.DirMark
			m nullTime
		)
		if err := s.Scan(&d.Path, &m, &d.Files, &d.Fingerprint); err != nil {
			return err
		}
		d.ModTime = m.T
		out[d.Path] = d
		return nil
	}, `SELECT path, mtime, files, fingerprint FROM totalrec_dirs WHERE node = ?`, node)
	if err != nil {
		return nil, fmt.Errorf("list directory marks: %w", err)
	}
	return out, nil
}

// SaveDirs inserts or replaces node's directory fingerprints, in one transaction.
func (c *Catalog) SaveDirs(ctx context.Context, node string, marks []recordings.DirMark) error {
	if err := checkNode(node); err != nil {
		return fmt.Errorf("save directory marks: %w", err)
	}
	for _, d := range marks {
		if d.Path != "" {
			if err := checkPath(d.Path); err != nil {
				return fmt.Errorf("save directory marks: %w", err)
			}
		}
		if err := checkTime("directory mtime", d.ModTime); err != nil {
			return fmt.Errorf("save directory marks: %w", err)
		}
	}
	in := c.incoming
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(marks); start += idsPerStatement {
			part := marks[start:min(start+idsPerStatement, len(marks))]
			args := make([]any, 0, 5*len(part))
			for _, d := range part {
				args = append(args, node, d.Path, c.timeArg(d.ModTime), d.Files, clip(d.Fingerprint, lenText))
			}
			q := `INSERT INTO totalrec_dirs (node, path, mtime, files, fingerprint) VALUES ` +
				placeholders(len(part), 5) + c.upsertClause("node, path", []string{
				"mtime = " + in("mtime"), "files = " + in("files"), "fingerprint = " + in("fingerprint")})
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save directory marks: %w", err)
	}
	return nil
}

// DeleteDirs forgets node's fingerprints of the given directories.
func (c *Catalog) DeleteDirs(ctx context.Context, node string, paths []string) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(paths); start += idsPerStatement {
			part := paths[start:min(start+idsPerStatement, len(paths))]
			args := []any{node}
			for _, p := range part {
				args = append(args, p)
			}
			_, err := tx.ExecContext(ctx,
				`DELETE FROM totalrec_dirs WHERE node = ? AND path IN `+placeholders(1, len(part)), args...)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete directory marks: %w", err)
	}
	return nil
}
