package identity

import (
	"context"
	"time"

	"buzon/internal/store"
)

// ThrottlePolicy says how a key (an N.U.I., a client address) is slowed
// down: the first Free failures cost nothing, then each failure locks the key
// for Base, doubling with every further failure up to Max (the temporary
// lockout). Failures older than Forget no longer count.
type ThrottlePolicy struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// Default throttle policies. An account is locked for an hour after twelve
// failures in a day; an address, shared by many people behind one NAT, gets
// more room but is locked the same way.
var (
	AccountThrottle = ThrottlePolicy{Free: 5, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	AddressThrottle = ThrottlePolicy{Free: 30, Base: time.Minute, Max: time.Hour, Forget: time.Hour}
	// ResetThrottle limits password reset emails per account: three in a
	// row, then one every quarter of an hour at most.
	ResetThrottle = ThrottlePolicy{Free: 2, Base: 15 * time.Minute, Max: 15 * time.Minute, Forget: 24 * time.Hour}
)

// Delay is how long the key is locked after its n-th failure.
func (p ThrottlePolicy) Delay(n int) time.Duration {
	if n <= p.Free {
		return 0
	}
	d := p.Base
	for i := p.Free + 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Throttle keys.
func nuiKey(n string) string   { return "nui:" + n }
func addrKey(a string) string  { return "addr:" + a }
func resetKey(n string) string { return "reset:" + n }

type throttleCheck struct {
	key    string
	policy ThrottlePolicy
}

// checkThrottle refuses with a *ThrottleError while any key is locked.
func checkThrottle(ctx context.Context, tx *store.Tx, now time.Time, keys ...throttleCheck) error {
	var until time.Time
	for _, k := range keys {
		if k.key == "" {
			continue
		}
		th, err := tx.ThrottleByKey(ctx, k.key)
		if err != nil {
			return err
		}
		if th.LockedUntil.After(now) && th.LockedUntil.After(until) {
			until = th.LockedUntil
		}
	}
	if !until.IsZero() {
		return newThrottleError(until, now)
	}
	return nil
}

// countFailure adds a failure to each key and locks those past their free
// allowance.
func countFailure(ctx context.Context, tx *store.Tx, now time.Time, keys ...throttleCheck) error {
	for _, k := range keys {
		if k.key == "" {
			continue
		}
		n, err := tx.AddThrottleFailure(ctx, k.key, now, now.Add(-k.policy.Forget))
		if err != nil {
			return err
		}
		if d := k.policy.Delay(n); d > 0 {
			if err := tx.LockThrottle(ctx, k.key, now.Add(d)); err != nil {
				return err
			}
		}
	}
	return nil
}
