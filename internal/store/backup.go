package store

import (
	"context"
	"errors"
	"fmt"
)

// BackupSQLite writes a consistent copy of an SQLite database to path
// (which must not exist) with VACUUM INTO, on a reader connection: writers
// go on meanwhile, and the copy is the database as of one moment, compact and
// without a WAL file beside it. PostgreSQL is backed up with pg_dump instead.
func (db *DB) BackupSQLite(ctx context.Context, path string) error {
	if db.engine != SQLite {
		return errors.New("store: VACUUM INTO backs up SQLite only; use pg_dump for PostgreSQL")
	}
	if _, err := db.reader.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, classify(err))
	}
	return nil
}
