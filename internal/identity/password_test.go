package identity_test

import (
	"errors"
	"testing"

	"buzon/internal/identity"
)

func TestCheckPassword(t *testing.T) {
	maria := identity.PersonalData{NUI: "1714307103", GivenNames: "María José", Surnames: "Guamán Ortiz", Email: "mjguaman@example.test"}
	tests := []struct {
		name, password string
		want           error
	}{
		{"a long phrase", "caballo correcto batería grapa", nil},
		{"twelve mixed characters", "Tq9#vLm2$xWz", nil},
		{"empty", "", identity.ErrPasswordEmpty},
		{"eleven characters", "Tq9#vLm2$xW", identity.ErrPasswordTooShort},
		{"twelve accented characters count as twelve", "ñáéíóúñáéíóú", nil},
		{"too long", string(make([]byte, identity.MaxPasswordLength+1)), identity.ErrPasswordTooLong},
		{"common", "password1234", identity.ErrPasswordCommon},
		{"common Spanish", "contraseña123", identity.ErrPasswordCommon},
		{"common without accent, capitals", "CONTRASENA123", identity.ErrPasswordCommon},
		{"common word and year", "Ecuador2026!!", identity.ErrPasswordCommon},
		{"team and digits", "barcelonasc1925", identity.ErrPasswordCommon},
		{"keyboard walk", "qwertyuiopasdfgh", identity.ErrPasswordCommon},
		{"repeated", "aaaaaaaaaaaaaaaa", identity.ErrPasswordCommon},
		{"two characters alternating", "abababababab", identity.ErrPasswordCommon},
		{"sequence", "123456789012", identity.ErrPasswordCommon},
		{"sequence of letters", "abcdefghijklm", identity.ErrPasswordCommon},
		{"contains the cédula", "mi clave 1714307103", identity.ErrPasswordPersonal},
		{"contains the cédula with a dash", "x 171430710-3 y", identity.ErrPasswordPersonal},
		{"contains a given name", "soy maria y esta es mi clave", identity.ErrPasswordPersonal},
		{"contains a surname without accent", "GUAMAN y algo más largo", identity.ErrPasswordPersonal},
		{"contains the email's user", "mjguaman en casa 2026", identity.ErrPasswordPersonal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := identity.CheckPassword(tt.password, tt.password, maria)
			if !errors.Is(err, tt.want) {
				t.Errorf("CheckPassword(%q) = %v, want %v", tt.password, err, tt.want)
			}
			if err != nil && identity.FieldOf(err) != "password" {
				t.Errorf("field = %q, want password", identity.FieldOf(err))
			}
		})
	}
	if err := identity.CheckPassword("caballo correcto batería grapa", "caballo correcto", maria); !errors.Is(err, identity.ErrPasswordMismatch) {
		t.Errorf("mismatch = %v", err)
	}
}

func TestParseEmail(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"maria@example.com", "maria@example.com", nil},
		{"  Maria.Jose+buzon@Example.COM ", "Maria.Jose+buzon@example.com", nil},
		{"m@correo.gob.ec", "m@correo.gob.ec", nil},
		{"", "", identity.ErrEmailEmpty},
		{"maria", "", identity.ErrEmailInvalid},
		{"maria@", "", identity.ErrEmailInvalid},
		{"@example.com", "", identity.ErrEmailInvalid},
		{"maria@example", "", identity.ErrEmailInvalid},
		{"maria@example.c", "", identity.ErrEmailInvalid},
		{"maria@-example.com", "", identity.ErrEmailInvalid},
		{"maria@exa_mple.com", "", identity.ErrEmailInvalid},
		{"maria@@example.com", "", identity.ErrEmailInvalid},
		{"maria @example.com", "", identity.ErrEmailInvalid},
		{"María <maria@example.com>", "", identity.ErrEmailInvalid},
		{"a@example.com, b@example.com", "", identity.ErrEmailInvalid},
		{"maria@example.com\r\nBcc: x@example.com", "", identity.ErrEmailInvalid},
		{"maria@example..com", "", identity.ErrEmailInvalid},
	}
	for _, tt := range tests {
		got, err := identity.ParseEmail(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"maria@example.com", "a@b.co", "x <y@z.com>", "\"q\"@x.com", "a@b", "é@ñ.ec"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := identity.ParseEmail(s)
		if err != nil {
			if !errors.Is(err, identity.ErrEmailInvalid) && !errors.Is(err, identity.ErrEmailEmpty) {
				t.Fatalf("ParseEmail(%q) = %v, not a coded refusal", s, err)
			}
			return
		}
		again, err := identity.ParseEmail(got)
		if err != nil || again != got {
			t.Fatalf("ParseEmail(%q) = %q, which parses to %q, %v", s, got, again, err)
		}
		for _, c := range got {
			if c == '\r' || c == '\n' || c == '<' || c == ',' {
				t.Fatalf("ParseEmail(%q) = %q contains %q", s, got, c)
			}
		}
	})
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"caballo correcto batería grapa", "contraseña123", "", "ñ"} {
		f.Add(s)
	}
	who := identity.PersonalData{NUI: "1714307103", GivenNames: "María José", Surnames: "Guamán Ortiz", Email: "m@example.test"}
	f.Fuzz(func(t *testing.T, s string) {
		err := identity.CheckPassword(s, s, who)
		if err != nil && identity.FieldOf(err) != "password" {
			t.Fatalf("CheckPassword(%q) = %v, not a refusal of the password field", s, err)
		}
	})
}
