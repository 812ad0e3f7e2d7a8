package privacy

import (
	"errors"
	"testing"
)

func TestRetentionCheck(t *testing.T) {
	tests := []struct {
		name string
		r    Retention
		want error
	}{
		{"the defaults", DefaultRetention, nil},
		{"notifications kept for ever", Retention{}, nil},
		{"notifications for one year is refused", Retention{Notifications: 365 * Day}, ErrRetentionTooShort},
		{"exactly five years", Retention{Notifications: MinNotificationRetention}, nil},
	}
	for _, tt := range tests {
		if err := tt.r.Check(); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := (Retention{SignIns: -Day}).Check(); err == nil {
		t.Error("a negative period was accepted")
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"resolución.pdf": "resolución.pdf", "../../etc/passwd": "passwd", "a\\..\\b.pdf": "b.pdf", "..": "archivo", "": "archivo"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
