package notification

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// Calendars builds the business-day calendar from the decrees the platform
// administrator entered (calendar_overrides) and keeps it for a while: a
// change made in this process applies at once, one made by another process
// within TTL.
type Calendars struct {
	DB  *store.DB
	TTL time.Duration // default one minute
	Now func() time.Time

	mu     sync.Mutex
	cal    *calendar.Calendar
	loaded time.Time
}

func (c *Calendars) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Current returns the calendar of the law corrected by the stored decrees.
func (c *Calendars) Current(ctx context.Context) (*calendar.Calendar, error) {
	if c == nil || c.DB == nil {
		return calendar.Ecuador(), nil
	}
	return c.CurrentIn(ctx, c.DB.Reader())
}

// CurrentIn is Current reading the decrees, when they must be read, through
// q: a deposit passes its own transaction, so it never waits for a second
// connection while holding one (on PostgreSQL, concurrent deposits would
// otherwise exhaust the pool and wait on each other).
func (c *Calendars) CurrentIn(ctx context.Context, q *store.Tx) (*calendar.Calendar, error) {
	if c == nil || c.DB == nil {
		return calendar.Ecuador(), nil
	}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = time.Minute
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cal != nil && c.now().Sub(c.loaded) < ttl && c.now().Sub(c.loaded) >= 0 {
		return c.cal, nil
	}
	rows, err := q.CalendarOverrides(ctx)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	list, err := overridesOf(rows)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	cal, err := calendar.New(list)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	c.cal, c.loaded = cal, c.now()
	return cal, nil
}

// Invalidate makes the next Current read the decrees again.
func (c *Calendars) Invalidate() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.cal = nil
	c.mu.Unlock()
}

func overridesOf(rows []store.CalendarOverride) ([]calendar.Override, error) {
	list := make([]calendar.Override, 0, len(rows))
	for _, r := range rows {
		d, err := calendar.ParseDate(r.Day)
		if err != nil {
			return nil, err
		}
		var k calendar.OverrideKind
		if err := k.UnmarshalText([]byte(r.Kind)); err != nil {
			return nil, err
		}
		list = append(list, calendar.Override{Date: d, Kind: k, Name: r.Name})
	}
	return list, nil
}

// Decree is a stored override with who entered it.
type Decree struct {
	calendar.Override
	CreatedBy string
	CreatedAt time.Time
}

// Audit actions of the calendar screen.
const (
	ActionDecreeAdd    = "calendario.agregar"
	ActionDecreeRemove = "calendario.quitar"
)

// Decrees lists the stored overrides (platform administrators only).
func (s *Service) Decrees(ctx context.Context, p *identity.Principal) ([]Decree, error) {
	if identity.Require(p, identity.RolePlatformAdmin) != nil {
		return nil, ErrForbidden
	}
	rows, err := s.DB.Reader().CalendarOverrides(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Decree, 0, len(rows))
	list, err := overridesOf(rows)
	if err != nil {
		return nil, err
	}
	for i, o := range list {
		out = append(out, Decree{Override: o, CreatedBy: rows[i].CreatedBy, CreatedAt: rows[i].CreatedAt})
	}
	return out, nil
}

// AddDecrees stores overrides (a day entered in the form, or a file read
// with calendar.ParseOverrides), replacing any earlier override of the
// same day, after checking that the whole set still builds a calendar. The
// errors are the calendar package's (*calendar.Error, *calendar.OverrideError).
func (s *Service) AddDecrees(ctx context.Context, p *identity.Principal, list []calendar.Override) error {
	if identity.Require(p, identity.RolePlatformAdmin) != nil {
		return ErrForbidden
	}
	if _, err := calendar.New(list); err != nil {
		return err
	}
	now := s.now()
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		rows, err := tx.CalendarOverrides(ctx)
		if err != nil {
			return err
		}
		merged, err := overridesOf(rows)
		if err != nil {
			return err
		}
		byDay := map[calendar.Date]int{}
		for i, o := range merged {
			byDay[o.Date] = i
		}
		for _, o := range list {
			if i, ok := byDay[o.Date]; ok {
				merged[i] = o
			} else {
				merged = append(merged, o)
			}
		}
		if _, err := calendar.New(merged); err != nil {
			return err
		}
		for _, o := range list {
			if err := tx.PutCalendarOverride(ctx, &store.CalendarOverride{
				Day: o.Date.String(), Kind: o.Kind.String(), Name: o.Name, CreatedBy: p.ID, CreatedAt: now,
			}); err != nil {
				return err
			}
			if err := identity.RecordAudit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{
				Action: ActionDecreeAdd, Detail: fmt.Sprintf("%s %s %s", o.Date, o.Kind, o.Name),
			}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if s.Calendars != nil {
		s.Calendars.Invalidate()
	}
	return nil
}

// ImportDecrees reads a CSV or JSON file of overrides and stores them.
func (s *Service) ImportDecrees(ctx context.Context, p *identity.Principal, r io.Reader) (int, error) {
	if identity.Require(p, identity.RolePlatformAdmin) != nil {
		return 0, ErrForbidden
	}
	list, err := calendar.ParseOverrides(r)
	if err != nil {
		return 0, err
	}
	return len(list), s.AddDecrees(ctx, p, list)
}

// RemoveDecree deletes the override of a day.
func (s *Service) RemoveDecree(ctx context.Context, p *identity.Principal, day calendar.Date) error {
	if identity.Require(p, identity.RolePlatformAdmin) != nil {
		return ErrForbidden
	}
	now := s.now()
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteCalendarOverride(ctx, day.String())
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		return identity.RecordAudit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{
			Action: ActionDecreeRemove, Detail: day.String(),
		}, now)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if s.Calendars != nil {
		s.Calendars.Invalidate()
	}
	return err
}

// calendar returns the current calendar.
func (s *Service) calendar(ctx context.Context) (*calendar.Calendar, error) {
	return s.Calendars.Current(ctx)
}
