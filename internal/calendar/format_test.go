package calendar

import "testing"

func TestFormatLong(t *testing.T) {
	tests := []struct {
		d    Date
		lang string
		want string
	}{
		{d("2026-12-15"), "es", "15 de diciembre de 2026"},
		{d("2026-01-01"), "es-EC", "1 de enero de 2026"},
		{d("2026-09-09"), "", "9 de septiembre de 2026"},
		{d("2026-12-15"), "en", "December 15, 2026"},
		{d("2027-03-05"), "en-US", "March 5, 2027"},
		{d("2027-03-05"), "EN", "March 5, 2027"},
		{d("2027-03-05"), "eng", "5 de marzo de 2027"}, // not a tag we serve
		{Date{}, "es", ""},
	}
	for _, tt := range tests {
		if got := FormatLong(tt.d, tt.lang); got != tt.want {
			t.Errorf("FormatLong(%v, %q) = %q, want %q", tt.d, tt.lang, got, tt.want)
		}
	}
}
