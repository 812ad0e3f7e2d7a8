package notification

import (
	"strings"
	"testing"
)

// Texts come from notifiers and column names from their files: the names
// placeholdersIn finds are exactly those expand looks up, so a text whose
// every name has a value (a column of the file) always expands, and a
// text without placeholders comes out unchanged.
func FuzzPlaceholdersIn(f *testing.F) {
	for _, s := range []string{"Debe {{monto}} USD", "{{ Monto }}{{monto}}", "{{", "{{}}", "a}}{{b", "{{x}}{{y", "{{fecha}} {{placa_1}}"} {
		f.Add(s, "{{valor}}")
	}
	f.Fuzz(func(t *testing.T, text, value string) {
		names := placeholdersIn(text)
		vars := map[string]string{}
		for _, n := range names {
			vars[n] = value
		}
		out, err := expand(text, placeholderValues{Vars: vars})
		if err != nil {
			t.Fatalf("%q with a value for each of %q: %v", text, names, err)
		}
		if len(names) == 0 && out != text {
			t.Fatalf("%q has no placeholder but expanded to %q", text, out)
		}
		if wellFormed(text) {
			for _, n := range names {
				if n == "" || strings.ContainsAny(n, " {}") {
					t.Fatalf("%q is well formed with the name %q", text, n)
				}
			}
		}
	})
}
