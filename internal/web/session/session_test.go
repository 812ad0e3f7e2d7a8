package session

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"buzon/internal/eligibility"
	"buzon/internal/identity"
	"buzon/internal/web/i18n"
)

func TestLocalPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/cuenta": true, "/digercic/buscar?nui=1714307103": true, "": false, "cuenta": false,
		"//evil.example/x": false, "/\\evil.example": false, "https://evil.example": false, "/a\r\nSet-Cookie: x": false,
	} {
		if got := LocalPath(p); got != want {
			t.Errorf("LocalPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestLanding(t *testing.T) {
	staff := func(r identity.Role, totp bool) *identity.Principal {
		return &identity.Principal{Account: identity.Account{TOTPEnabled: totp}, Roles: []identity.Grant{{Role: r}}}
	}
	tests := []struct {
		p    *identity.Principal
		want string
	}{
		{nil, "/ingresar"},
		{staff(identity.RoleCitizen, false), "/buzon"},
		{staff(identity.RoleDIGERCIC, false), TOTPSetupPath},
		{staff(identity.RoleDIGERCIC, true), "/digercic/"},
		{staff(identity.RolePlatformAdmin, true), "/admin/personal"},
		{staff(identity.RoleAuditor, true), "/admin/personal"},
		{staff(identity.RoleInstitutionAdmin, true), "/institucion/"},
		{&identity.Principal{Account: identity.Account{TOTPEnabled: true}, Roles: []identity.Grant{{Role: identity.RoleDIGERCIC}, {Role: identity.RoleCitizen}}}, "/buzon"},
	}
	for _, tt := range tests {
		if got := Landing(tt.p); got != tt.want {
			t.Errorf("Landing(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestMessage(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	en := r.WithContext(i18n.WithLang(r.Context(), i18n.English))
	if got, ok := Message(r, eligibility.ErrDeceased); !ok || got != "El Registro Civil registra como fallecida a la persona titular de esta cédula." {
		t.Errorf("Spanish = %q, %v", got, ok)
	}
	if got, _ := Message(en, identity.ErrBadCredentials); got != "The identity card number or the password is incorrect." {
		t.Errorf("English = %q", got)
	}
	if _, ok := Message(r, errors.New("connection refused")); ok {
		t.Error("an internal error was shown to a person")
	}
}

// FuzzLocalPath: a path LocalPath accepts, used as a redirect target, stays
// on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/cuenta", "//evil.example", "/\\evil", "/%2F%2Fevil", "/a?b=//c", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !LocalPath(p) {
			return
		}
		u, err := url.Parse(p)
		if err != nil {
			return // http.Redirect would not treat it as a URL either
		}
		if u.Scheme != "" || u.Host != "" {
			t.Fatalf("LocalPath(%q) accepted a URL to %s://%s", p, u.Scheme, u.Host)
		}
	})
}
