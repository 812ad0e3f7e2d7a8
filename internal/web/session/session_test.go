package session

import (
	"errors"
	"net/http/httptest"
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
		{staff(identity.RoleCitizen, false), "/cuenta"},
		{staff(identity.RoleDIGERCIC, false), TOTPSetupPath},
		{staff(identity.RoleDIGERCIC, true), "/digercic/"},
		{staff(identity.RolePlatformAdmin, true), "/admin/personal"},
		{staff(identity.RoleAuditor, true), "/admin/personal"},
		{&identity.Principal{Account: identity.Account{TOTPEnabled: true}, Roles: []identity.Grant{{Role: identity.RoleDIGERCIC}, {Role: identity.RoleCitizen}}}, "/cuenta"},
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
