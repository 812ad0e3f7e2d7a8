package bench

import (
	"slices"
	"sync"
	"time"
)

// Figure is one measured throughput: how many operations in how long, and
// how long each took.
type Figure struct {
	Ops      int64
	Errors   int64
	Elapsed  time.Duration
	P50, P99 time.Duration // zero when latencies were not recorded
}

// PerSecond is the throughput.
func (f Figure) PerSecond() float64 {
	if f.Elapsed <= 0 {
		return 0
	}
	return float64(f.Ops) / f.Elapsed.Seconds()
}

// latencies collects per-operation durations from many goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, ds...)
	l.mu.Unlock()
}

// percentiles returns the 50th and 99th percentiles (nearest rank).
func (l *latencies) percentiles() (p50, p99 time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return percentile(l.all, 50), percentile(l.all, 99)
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	// Nearest rank: the smallest value with at least p% of values at or below it.
	rank := (p*len(s) + 99) / 100
	return s[max(rank-1, 0)]
}

// drive calls op from n goroutines, over and over, for warm and then d;
// only the operations that start after warm and end within d count. The
// first error seen is returned beside the figure, which counts errors
// apart.
func drive(n int, warm, d time.Duration, op func(worker int) error) (Figure, error) {
	var (
		lat      latencies
		mu       sync.Mutex
		ops, bad int64
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	from, until := start.Add(warm), start.Add(warm+d)
	for w := range n {
		wg.Go(func() {
			var mine []time.Duration
			var good, failed int64
			var err1 error
			for {
				t0 := time.Now()
				if t0.After(until) {
					break
				}
				err := op(w)
				t1 := time.Now()
				if t0.Before(from) || t1.After(until) {
					continue
				}
				if err != nil {
					failed++
					if err1 == nil {
						err1 = err
					}
					continue
				}
				good++
				mine = append(mine, t1.Sub(t0))
			}
			lat.add(mine)
			mu.Lock()
			ops += good
			bad += failed
			if firstErr == nil {
				firstErr = err1
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	f := Figure{Ops: ops, Errors: bad, Elapsed: d}
	f.P50, f.P99 = lat.percentiles()
	return f, firstErr
}
