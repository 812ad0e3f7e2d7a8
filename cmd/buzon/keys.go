package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"buzon/internal/seal"
)

const keysUsage = `Usage: buzon keys <list|rotate|stage|promote ID> [--data DIR] [--master-key-file FILE]

Master keys for encryption at rest. The key file holds one key per line: the
first seals, all open, so data sealed before a rotation stays readable.

  list         the keys' ids, the sealing one first
  rotate       add a new key and seal with it from the next start (one node)
  stage        add a new key that only opens; restart every node, then promote
  promote ID   seal with the staged key ID from the next start

After a rotation, each server start queues a background job that rewraps every
attachment and document under the new key; its progress is in the log
(component=keys). Keep the old lines: notification bodies are never rewritten.
`

// cmdKeys manages the master key file (rotation without downtime).
func cmdKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, keysUsage)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envOr("BUZON_DATA", "./data"), "data directory (BUZON_DATA)")
	file := fs.String("master-key-file", os.Getenv("BUZON_MASTER_KEY_FILE"), "master key file; default <data>/master.key (BUZON_MASTER_KEY_FILE)")
	// Flags may come before or after the key id.
	var pos []string
	for rest := args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	path := *file
	if path == "" {
		path = filepath.Join(*data, "master.key")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("keys: %s: %w (start the server once, or give --master-key-file)", path, err)
	}
	switch {
	case sub == "list" && len(pos) == 0:
		kr, _, err := seal.LoadKeyring(path)
		if err != nil {
			return err
		}
		for i, id := range kr.KeyIDs() {
			role := "opens"
			if i == 0 {
				role = "seals and opens"
			}
			fmt.Fprintf(stdout, "%s  %s\n", id, role)
		}
		return nil
	case (sub == "rotate" || sub == "stage") && len(pos) == 0:
		id, err := seal.AddKey(path, sub == "rotate")
		if err != nil {
			return err
		}
		if sub == "rotate" {
			fmt.Fprintf(stdout, "New master key %s seals from the next start; the old keys still open. Restart the server, then back up %s.\n", id, path)
		} else {
			fmt.Fprintf(stdout, "Staged master key %s (opens only). Restart every node, then run: buzon keys promote %s\n", id, id)
		}
		return nil
	case sub == "promote" && len(pos) == 1:
		if err := seal.Promote(path, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Master key %s seals from the next start. Restart every node, one at a time.\n", pos[0])
		return nil
	}
	fmt.Fprint(stderr, keysUsage)
	return errUsage
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
