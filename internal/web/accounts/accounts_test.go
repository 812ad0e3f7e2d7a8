package accounts_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestInPersonRegistrationToSignIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		op, _ := s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		if st := op.get("/digercic/registro"); st != http.StatusOK {
			t.Fatalf("registration page: %d", st)
		}
		op.post("/digercic/registro/consulta", url.Values{"nui": {citizenNUI}})
		op.mustSee("Datos del Registro Civil", "María José Guamán Ortiz", "17/05/1990")
		// Forgetting the check of the physical card refuses, with the email checked too.
		if st := op.post("/digercic/registro", url.Values{"nui": {citizenNUI}, "email": {"maria@"}}); st != http.StatusUnprocessableEntity {
			t.Errorf("unchecked: %d", st)
		}
		op.mustSee("Confirme que comparó los datos con la cédula física.", "Ingrese un correo electrónico válido")
		if n := s.count(); n != 1 {
			t.Errorf("%d identities after refusals, want the operator only", n)
		}
		op.post("/digercic/registro", url.Values{"nui": {citizenNUI}, "email": {"maria@example.test"}, "compared": {"si"}})
		op.mustSee("Cuenta registrada", "maria@example.test")

		citizen := s.browser()
		if st := citizen.get(s.mail.last(t, "maria@example.test")); st != http.StatusOK {
			t.Fatalf("activation page: %d", st)
		}
		citizen.mustSee("Bienvenido/a, María José Guamán Ortiz.")
		citizen.post(s.mail.last(t, "maria@example.test"), url.Values{"password": {"contraseña123"}, "confirm": {"contraseña123"}})
		citizen.mustSee("Esa contraseña es demasiado común")
		citizen.post(s.mail.last(t, "maria@example.test"), url.Values{"password": {password}, "confirm": {password}})
		citizen.mustSee("Su cuenta está activa.")
		citizen.signIn(citizenNUI, "")
		if citizen.path != "/buzon" {
			t.Errorf("a citizen landed on %s, want his buzón", citizen.path)
		}
		citizen.get("/cuenta")
		citizen.mustSee("Mi cuenta", "María José Guamán Ortiz", "maria@example.test", "Esta sesión")
		// The link cannot be used twice.
		if st := citizen.get(s.mail.last(t, "maria@example.test")); st != http.StatusGone {
			t.Errorf("used activation link: %d", st)
		}
	})
}

func TestRegistrationRefusalsShowAndCreateNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		op, _ := s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		if _, err := s.ids.RegisterInPerson(context.Background(), identity.System("test"), citizenNUI, "maria@example.test"); err != nil {
			t.Fatal(err)
		}
		tests := []struct{ nui, es string }{
			{"1714307104", "El dígito verificador no corresponde."},
			{"17143", "La cédula debe tener 10 dígitos."},
			{deceasedNUI, "El Registro Civil registra como fallecida a la persona titular de esta cédula."},
			{minorNUI, "Debe tener al menos 18 años para registrarse."},
			{"1100000007", "La cédula no consta en el Registro Civil."},
			{citizenNUI, "Ya existe una cuenta para esta cédula."},
			{operatorNUI, "No puede realizar esta acción sobre su propia cuenta; pídala a otro operador."},
		}
		for _, tt := range tests {
			before := s.count()
			if st := op.post("/digercic/registro/consulta", url.Values{"nui": {tt.nui}}); st != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", tt.nui, st)
			}
			op.mustSee(tt.es, `aria-invalid="true"`, "Hay un problema")
			if st := op.post("/digercic/registro", url.Values{"nui": {tt.nui}, "email": {"x@example.test"}, "compared": {"si"}}); st != http.StatusUnprocessableEntity {
				t.Errorf("%s: direct registration status %d", tt.nui, st)
			}
			if s.count() != before {
				t.Errorf("%s: an identity was created", tt.nui)
			}
		}
		op.lang = "en"
		op.post("/digercic/registro/consulta", url.Values{"nui": {deceasedNUI}})
		op.mustSee("The civil registry records the holder of this identity card as deceased.", "There is a problem")
	})
}

func TestConsoleNeedsTheRole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		if _, err := s.ids.RegisterInPerson(context.Background(), identity.System("test"), citizenNUI, "maria@example.test"); err != nil {
			t.Fatal(err)
		}
		citizen := s.browser()
		citizen.post(s.mail.last(t, "maria@example.test"), url.Values{"password": {password}, "confirm": {password}})
		citizen.signIn(citizenNUI, "")
		anon := s.browser()
		for _, path := range []string{"/digercic/", "/digercic/registro", "/admin/personal", "/admin/auditoria", "/digercic/buscar?nui=" + operatorNUI} {
			if st := citizen.get(path); st != http.StatusForbidden {
				t.Errorf("citizen GET %s = %d, want 403", path, st)
			}
			if anon.get(path); anon.path != "/ingresar" {
				t.Errorf("anonymous GET %s led to %s, want /ingresar", path, anon.path)
			}
		}
		before := s.count()
		if st := citizen.post("/digercic/registro", url.Values{"nui": {minorNUI}, "email": {"a@example.test"}, "compared": {"si"}}); st != http.StatusForbidden {
			t.Errorf("citizen registering = %d", st)
		}
		acc, _ := s.db.Reader().IdentityByNUI(context.Background(), operatorNUI)
		if st := citizen.post("/digercic/cuentas/"+acc.ID+"/suspender", url.Values{"reason": {"x"}}); st != http.StatusForbidden {
			t.Errorf("citizen suspending = %d", st)
		}
		if s.count() != before {
			t.Error("a refused request created an identity")
		}
		if got, _ := s.db.Reader().IdentityByNUI(context.Background(), operatorNUI); got.State != "activa" {
			t.Errorf("operator state = %s", got.State)
		}
	})
}

func TestSuspensionSignsOutAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		op, _ := s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		acc, err := s.ids.RegisterInPerson(context.Background(), identity.System("test"), citizenNUI, "maria@example.test")
		if err != nil {
			t.Fatal(err)
		}
		citizen := s.browser()
		citizen.post(s.mail.last(t, "maria@example.test"), url.Values{"password": {password}, "confirm": {password}})
		citizen.signIn(citizenNUI, "")
		op.get("/digercic/buscar?nui=" + citizenNUI)
		op.mustSee("María José Guamán Ortiz", "Activa")
		if st := op.post("/digercic/cuentas/"+acc.ID+"/suspender", url.Values{"reason": {""}}); st != http.StatusUnprocessableEntity {
			t.Errorf("suspend without reason = %d", st)
		}
		op.mustSee("Indique el motivo.", `id="suspender-reason-error"`)
		op.post("/digercic/cuentas/"+acc.ID+"/suspender", url.Values{"reason": {"pedido de la titular"}})
		op.mustSee("La cuenta fue suspendida y sus sesiones se cerraron.", "Suspendida", "pedido de la titular")
		if citizen.get("/cuenta"); citizen.path != "/ingresar" {
			t.Errorf("a suspended citizen still sees %s", citizen.path)
		}
		citizen.post("/ingresar", url.Values{"nui": {citizenNUI}, "password": {password}})
		citizen.mustSee("Su cuenta está suspendida.")
	})
}

func TestLockoutMessage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		b := s.browser()
		for range identity.AccountThrottle.Free + 1 {
			b.post("/ingresar", url.Values{"nui": {operatorNUI}, "password": {"no es esta contraseña"}})
			b.mustSee("La cédula o la contraseña no son correctas.")
		}
		b.post("/ingresar", url.Values{"nui": {operatorNUI}, "password": {password}})
		b.mustSee("Demasiados intentos; intente de nuevo en 1 minuto.")
		if b.path != "/ingresar" {
			t.Errorf("locked sign-in led to %s", b.path)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	for name, https := range map[string]bool{"http": false, "https": true} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				s := newSite(t, db, https)
				if _, err := s.ids.RegisterInPerson(context.Background(), identity.System("test"), citizenNUI, "maria@example.test"); err != nil {
					t.Fatal(err)
				}
				b := s.browser()
				b.post(s.mail.last(t, "maria@example.test"), url.Values{"password": {password}, "confirm": {password}})
				before := cookie(t, b, s)
				req, _ := http.NewRequest(http.MethodPost, s.url+"/ingresar", strings.NewReader(url.Values{"nui": {citizenNUI}, "password": {password}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := (&http.Client{Transport: b.c.Transport, Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				set := res.Header.Get("Set-Cookie")
				for _, want := range []string{"buzon_sesion=", "HttpOnly", "SameSite=Lax", "Path=/"} {
					if !strings.Contains(set, want) {
						t.Errorf("Set-Cookie %q lacks %s", set, want)
					}
				}
				if strings.Contains(set, "Secure") != https {
					t.Errorf("https=%v: Set-Cookie %q", https, set)
				}
				if strings.Contains(set, "Expires") || strings.Contains(set, "Max-Age") {
					t.Errorf("the session cookie outlives the browser: %q", set)
				}
				if after := cookie(t, b, s); after == "" || after == before {
					t.Errorf("the session token was not renewed at sign-in (%q → %q)", before, after)
				}
			})
		})
	}
}

func cookie(t *testing.T, b *browser, s *site) string {
	u, _ := url.Parse(s.url)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "buzon_sesion" {
			return c.Value
		}
	}
	return ""
}
