package main

import (
	"context"
	"io"

	"buzon/internal/server"
)

// cmdWorker runs the job workers and the evidence integrator without
// serving HTTP: `buzon serve` without the listener, for the processes of a
// cluster that only work the queue.
func cmdWorker(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseConfig("worker", args, stderr)
	if err != nil {
		return err
	}
	if cfg.Workers <= 0 {
		return server.ErrNoWorkers
	}
	srv, err := server.New(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.Work(ctx)
}
