package identity

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzSecondFactorInput feeds what a person types as a code, and what a link
// carries as a token, to their parsers: they never panic, a normalized code
// has no separators, a TOTP code is six digits, and a token accepted as well
// formed decodes to 32 bytes.
func FuzzSecondFactorInput(f *testing.F) {
	for _, s := range []string{"123 456", "abcde-fghij", "ABCDE FGHIJ", "", "1234567", "erAtZllS1WecHKjMsWHdLLZOJcWop6RljN_JW5heYCE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := normalizeCode(s)
		if strings.ContainsAny(c, " -\t") {
			t.Fatalf("normalizeCode(%q) = %q keeps a separator", s, c)
		}
		if isTOTPCode(c) && (len(c) != 6 || strings.Trim(c, "0123456789") != "") {
			t.Fatalf("isTOTPCode(%q) for something not six digits", c)
		}
		_ = hashRecoveryCode(c)
		if wellFormedToken(s) {
			b, err := base64.RawURLEncoding.DecodeString(s)
			if err != nil || len(b) != 32 {
				t.Fatalf("wellFormedToken(%q) but it decodes to %d bytes, %v", s, len(b), err)
			}
		}
	})
}
