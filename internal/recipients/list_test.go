package recipients

import (
	"strings"
	"testing"

	"buzon/internal/nui"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		desc    string
		src     string
		entries []Entry
		errors  []RowError
	}{
		{"one", " 1714307103 ", []Entry{{NUI: "1714307103", Line: 1}}, nil},
		{"empty", " \n ,; ", nil, nil},
		{"separators", "1714307103, 1700000001;0962467429\n\n3000000004\t171430710-3", []Entry{
			{NUI: "1714307103", Line: 1}, {NUI: "1700000001", Line: 1}, {NUI: "0962467429", Line: 1}, {NUI: "3000000004", Line: 3}}, []RowError{
			{Line: 3, Value: "171430710-3", Code: "recipients.duplicate", Message: duplicateProblem(1).spanish, English: duplicateProblem(1).english}}},
		{"pasted from a spreadsheet column", "\"1714307103\"\r\n\"1700000001\"\r\n", []Entry{{NUI: "1714307103", Line: 1}, {NUI: "1700000001", Line: 2}}, nil},
		{"no-break spaces and zero-width characters", "1714307103\u00a01700000001\u200b", []Entry{{NUI: "1714307103", Line: 1}, {NUI: "1700000001", Line: 1}}, nil},
		{"invalid ones", "1714307104\nabc 962467429", nil, []RowError{
			{Line: 1, Value: "1714307104", Code: "nui.check_digit", Message: nui.ErrCheckDigit.Error(), English: nui.ErrCheckDigit.English()},
			{Line: 2, Value: "abc", Code: "nui.not_digits", Message: nui.ErrNotDigits.Error(), English: nui.ErrNotDigits.English()},
			{Line: 2, Value: "962467429", Code: "recipients.leading_zero", Message: probLeadingZero.spanish, English: probLeadingZero.english}}},
	} {
		entries, errs := ParseList(tc.src)
		if diff := cmp.Diff(tc.entries, entries, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: entries (-want +got):\n%s", tc.desc, diff)
		}
		if diff := cmp.Diff(tc.errors, errs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: errors (-want +got):\n%s", tc.desc, diff)
		}
	}
}

func TestParseListLimit(t *testing.T) {
	src := strings.Repeat("x ", DefaultMaxRows+5)
	_, errs := ParseList(src)
	if len(errs) != DefaultMaxRows+1 || errs[len(errs)-1].Code != "recipients.too_many" {
		t.Errorf("%d errors, last %+v", len(errs), errs[len(errs)-1])
	}
}

func FuzzParseList(f *testing.F) {
	f.Add("1714307103, 1700000001\n962467429 1714307103")
	f.Add("\"0962467429\";x\u00a0y")
	f.Fuzz(func(t *testing.T, s string) {
		entries, errs := ParseList(s)
		checkEntries(t, entries)
		for _, e := range errs {
			if e.Code == "" || e.Message == "" || e.Line < 1 || e.Line > strings.Count(s, "\n")+1 {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
