package notification

import (
	"context"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// OpenWindows are the delays after deposit the dashboards measure openings
// within: 1, 3 and 10 days.
var OpenWindows = []int{1, 3, 10}

// DayStat is one institution's figures for one day's deposits.
type DayStat struct {
	Day             calendar.Date
	InstitutionID   string
	InstitutionName string
	Deposited       int
	AlertsFailed    int
	// OpenedWithin[i] counts those opened within OpenWindows[i] days.
	OpenedWithin []int
}

// Share returns OpenedWithin[i] as a share of Deposited, 0 to 1.
func (d DayStat) Share(i int) float64 {
	if d.Deposited == 0 || i >= len(d.OpenedWithin) {
		return 0
	}
	return float64(d.OpenedWithin[i]) / float64(d.Deposited)
}

// Stats returns the daily figures of deposits from one day to another
// (inclusive). The platform administrator (MINTEL) sees every institution
// (institutionID "") or one; an institution's staff see their own. Figures
// only: no subject, body or recipient.
func (s *Service) Stats(ctx context.Context, p *identity.Principal, institutionID string, from, to calendar.Date) ([]DayStat, error) {
	if identity.Require(p, identity.RolePlatformAdmin) != nil {
		if _, err := staffRole(p, institutionID); err != nil {
			return nil, err
		}
	} else if institutionID != "" && !ValidID(institutionID) {
		return nil, ErrNotFound
	}
	if to.Before(from) {
		from, to = to, from
	}
	windows := make([]time.Duration, len(OpenWindows))
	for i, d := range OpenWindows {
		windows[i] = time.Duration(d) * 24 * time.Hour
	}
	rows, err := s.DB.Reader().DailyStats(ctx, institutionID, dayStart(from), dayStart(to.AddDays(1)), windows)
	if err != nil {
		return nil, err
	}
	out := make([]DayStat, len(rows))
	for i, r := range rows {
		out[i] = statOf(r)
	}
	return out, nil
}

func statOf(r store.DayStat) DayStat {
	d, _ := calendar.ParseDate(r.Day)
	return DayStat{Day: d, InstitutionID: r.InstitutionID, InstitutionName: r.InstitutionName, Deposited: r.Deposited,
		AlertsFailed: r.AlertsFailed, OpenedWithin: r.OpenedWithin}
}
