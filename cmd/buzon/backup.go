package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"buzon/internal/backup"
)

// backupFlags declares the settings backup and restore share with serve:
// where the data directory and the database are.
func backupFlags(name string, stderr io.Writer) (*flag.FlagSet, *backup.Options) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &backup.Options{}
	def := func(env, d string) string {
		if v := os.Getenv(env); v != "" {
			return v
		}
		return d
	}
	fs.StringVar(&o.Data, "data", def("BUZON_DATA", "./data"), "data directory (BUZON_DATA)")
	fs.StringVar(&o.DatabaseURL, "database-url", def("BUZON_DATABASE_URL", ""), "postgres://… for PostgreSQL; default: the SQLite file in the data directory (BUZON_DATABASE_URL)")
	return fs, o
}

// cmdBackup writes a backup archive of a running or stopped installation:
// the database as of one moment, then the data directory's files (sealed
// attachments and documents, the master key, the evidence keys).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := backupFlags("backup", stderr)
	out := fs.String("out", "", "archive to write (.tar.gz); required")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: buzon backup --out FILE [--data DIR] [--database-url URL]\n\n"+
			"Writes the database, the attachments and the keys into one archive, while the server runs.\n"+
			"The archive holds the master key: keep it as safely as the key itself.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if *out == "" {
		fs.Usage()
		return errUsage
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m, err := backup.Create(ctx, *o, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	var size int64
	for _, e := range m.Files {
		size += e.Size
	}
	fmt.Fprintf(stdout, "Backup written to %s: %s database, %d files, %d bytes before compression.\n",
		filepath.Clean(*out), m.Engine, len(m.Files), size)
	return nil
}

// cmdRestore puts a backup archive into an empty data directory and database.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := backupFlags("restore", stderr)
	from := fs.String("from", "", "archive written by buzon backup; required")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: buzon restore --from FILE [--data DIR] [--database-url URL]\n\n"+
			"Restores a backup into an empty data directory and an empty database of the same engine,\n"+
			"checking every file against the archive's manifest. Then start the server on them.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if *from == "" {
		fs.Usage()
		return errUsage
	}
	f, err := os.Open(*from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	m, err := backup.Restore(ctx, *o, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored the backup of %s (%s database, %d files) into %s.\n",
		m.CreatedAt.Format("2006-01-02 15:04:05 UTC"), m.Engine, len(m.Files), o.Data)
	return nil
}
