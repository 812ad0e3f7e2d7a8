package server

import (
	"context"
	"errors"
	"time"
)

// ErrNoWorkers is returned by Work when the process was configured to run
// no jobs (--workers 0): a worker without workers would do nothing.
var ErrNoWorkers = errors.New("--workers is 0: a worker process must run at least one job at a time")

// Work runs the job workers and the evidence integrator, without HTTP,
// until ctx is cancelled; then it lets running jobs finish (up to the
// shutdown timeout) and returns. It is `buzon worker`: in a cluster, any
// number of worker processes share the queue with the serving ones
// through the database (jobs are claimed with a lease, FOR UPDATE SKIP
// LOCKED on PostgreSQL).
func (s *Server) Work(ctx context.Context) error {
	if s.cfg.Workers <= 0 {
		return ErrNoWorkers
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	done := make(chan struct{})
	go func() {
		defer close(done)
		finished := make(chan struct{}, 2)
		go func() { s.runner.Run(workCtx); finished <- struct{}{} }()
		n := 1
		if s.evid != nil {
			n++
			go func() { s.evid.Run(workCtx, 0); finished <- struct{}{} }()
		}
		for range n {
			<-finished
		}
	}()
	s.log.Info("working", "workers", s.cfg.Workers, "version", Version)
	<-ctx.Done()
	s.log.Info("shutting down")
	stopWork()
	timer := time.NewTimer(s.cfg.ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		s.log.Warn("jobs still running at the shutdown timeout; their leases will expire and they will run again")
	}
	return nil
}
