package accounts_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"buzon/internal/identity"
	"buzon/internal/identity/passkeytest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// citizen registers and activates María and returns her signed-in browser.
func (s *site) citizen() *browser {
	s.t.Helper()
	if _, err := s.ids.RegisterInPerson(context.Background(), identity.System("test"), citizenNUI, "maria@example.test"); err != nil {
		s.t.Fatal(err)
	}
	b := s.browser()
	b.post(s.mail.last(s.t, "maria@example.test"), url.Values{"password": {password}, "confirm": {password}})
	b.signIn(citizenNUI, "")
	return b
}

func TestPasswordResetOverHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		c := s.citizen()
		anon := s.browser()
		anon.get("/restablecer")
		if st := anon.post("/restablecer", url.Values{"nui": {"123"}}); st != http.StatusUnprocessableEntity {
			t.Errorf("malformed cédula = %d", st)
		}
		for _, id := range []string{minorNUI, citizenNUI} {
			anon.post("/restablecer", url.Values{"nui": {id}})
			anon.mustSee("Revise su correo", "Si la cédula corresponde a una cuenta activa")
		}
		link := s.mail.last(t, "maria@example.test")
		if !strings.HasPrefix(link, "/restablecer/") {
			t.Fatalf("reset link %s", link)
		}
		anon.get(link)
		anon.mustSee("María José Guamán Ortiz, elija una nueva contraseña.")
		newPassword := "otra frase larga y segura"
		anon.post(link, url.Values{"password": {newPassword}, "confirm": {newPassword}})
		anon.mustSee("Su contraseña cambió y se cerraron todas sus sesiones.")
		if c.get("/cuenta"); c.path != "/ingresar" {
			t.Errorf("the old session survived the reset: %s", c.path)
		}
		if st := anon.get(link); st != http.StatusGone {
			t.Errorf("used reset link = %d", st)
		}
		anon.mustSee("Este enlace ya no sirve")
	})
}

func TestAccountSecurityPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		c := s.citizen()
		// Password.
		c.get("/cuenta/contrasena")
		if st := c.post("/cuenta/contrasena", url.Values{"current": {"mal"}, "password": {"x"}, "confirm": {"x"}}); st != http.StatusUnprocessableEntity {
			t.Errorf("wrong current password = %d", st)
		}
		c.mustSee("La contraseña actual no es correcta.", `id="current-error"`)
		np := "frase nueva muy larga 2026"
		c.post("/cuenta/contrasena", url.Values{"current": {password}, "password": {np}, "confirm": {np}})
		c.mustSee("Su contraseña cambió. Cerramos sus otras sesiones.")
		// Email: the address changes only through the link.
		c.post("/cuenta/correo", url.Values{"email": {"nueva@"}, "current": {np}})
		c.mustSee("Ingrese un correo electrónico válido")
		c.post("/cuenta/correo", url.Values{"email": {"nueva@example.test"}, "current": {np}})
		c.mustSee("Le enviamos un enlace al nuevo correo.", "maria@example.test")
		link := s.mail.last(t, "nueva@example.test")
		c.get(link)
		c.mustSee("Confirme que nueva@example.test será el correo de su cuenta de Buzón.")
		c.post(link, nil)
		c.mustSee("Su nuevo correo quedó registrado.", "nueva@example.test")
		// Sessions: a second browser, ended from the first.
		other := s.browser()
		other.lang = "en"
		other.post("/ingresar", url.Values{"nui": {citizenNUI}, "password": {np}})
		other.get("/cuenta")
		other.mustSee("My account", "Two-step verification")
		c.get("/cuenta")
		if strings.Count(c.body, "/cuenta/sesiones/") != 2 { // one revoke form and "end the others"
			t.Errorf("the account page does not offer to end the other session:\n%s", c.body)
		}
		c.post("/cuenta/sesiones/cerrar-otras", nil)
		c.mustSee("Sus otras sesiones fueron cerradas.")
		if other.get("/cuenta"); other.path != "/ingresar" {
			t.Errorf("the other session is still open: %s", other.path)
		}
		// Two-step verification, then turning it off (a citizen may).
		c.get("/cuenta/verificacion")
		m := secretRE.FindStringSubmatch(c.body)
		if m == nil || !strings.Contains(c.body, `src="data:image/png;base64,`) {
			t.Fatalf("setup page without secret or QR code:\n%s", c.body)
		}
		c.post("/cuenta/verificacion", url.Values{"code": {"000000"}})
		c.mustSee("El código no es correcto.")
		secret := strings.ReplaceAll(m[1], " ", "")
		c.post("/cuenta/verificacion", url.Values{"code": {code(t, secret, s.clock.Now())}})
		c.mustSee("Sus códigos de recuperación")
		c.post("/cuenta/verificacion/codigos", url.Values{"codes_current": {"mal"}})
		c.mustSee("La contraseña actual no es correcta.", `id="codes_current-error"`)
		c.post("/cuenta/verificacion/codigos", url.Values{"codes_current": {np}})
		c.mustSee("Guarde estos códigos ahora")
		c.post("/cuenta/verificacion/desactivar", url.Values{"current": {np}})
		c.mustSee("La verificación en dos pasos quedó desactivada.", "Desactivada.")
	})
}

func TestStaffCannotTurnOffTOTPAndIsSentToSetUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		op, _ := s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		op.get("/cuenta/verificacion")
		op.mustSee("Las cuentas de funcionarios no pueden desactivar la verificación en dos pasos.")
		if st := op.post("/cuenta/verificacion/desactivar", url.Values{"current": {password}}); st != http.StatusUnprocessableEntity {
			t.Errorf("staff turning TOTP off = %d", st)
		}
		// A new operator, before TOTP: everything leads to the setup page.
		_, link, err := s.ids.CreateUser(context.Background(), identity.System("test"), identity.CreateUserRequest{NUI: adminNUI, Email: "c@mintel.test", Role: identity.RolePlatformAdmin})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(link)
		b := s.browser()
		b.post(u.Path, url.Values{"password": {password}, "confirm": {password}})
		b.post("/ingresar", url.Values{"nui": {adminNUI}, "password": {password}})
		for _, path := range []string{"/cuenta", "/admin/personal", "/digercic/"} {
			if b.get(path); b.path != "/cuenta/verificacion" {
				t.Errorf("staff without TOTP reached %s", b.path)
			}
		}
		b.mustSee("debe activar la verificación en dos pasos antes de continuar")
	})
}

func TestPlatformConsole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		s.citizen()
		admin, _ := s.staff(adminNUI, "carmen@mintel.test", identity.RolePlatformAdmin)
		admin.get("/admin/personal")
		admin.mustSee("Personal de la plataforma", "Carmen Elena Vásquez Ruiz", "Otorgar un rol")
		if st := admin.post("/admin/personal", url.Values{"nui": {citizenNUI}, "role": {"auditor"}}); st != http.StatusUnprocessableEntity {
			t.Errorf("grant without reason = %d", st)
		}
		admin.mustSee("Indique el motivo.")
		admin.post("/admin/personal", url.Values{"nui": {citizenNUI}, "role": {"auditor"}, "reason": {"designación 2026-07"}})
		admin.mustSee("El rol fue otorgado.", "María José Guamán Ortiz")
		acc, _ := s.db.Reader().IdentityByNUI(context.Background(), citizenNUI)
		admin.post("/admin/personal/"+acc.ID+"/revocar", url.Values{"role": {"auditor"}, "reason": {""}})
		admin.mustSee("Indique el motivo.")
		admin.post("/admin/personal/"+acc.ID+"/revocar", url.Values{"role": {"auditor"}, "reason": {"fin de la designación"}})
		admin.mustSee("El rol fue retirado.")
		admin.get("/admin/auditoria?nui=" + citizenNUI)
		admin.mustSee("Registro de auditoría", "rol.otorgar", "rol.revocar", "designación 2026-07", "fin de la designación")
		admin.get("/admin/auditoria?accion=rol.revocar")
		if strings.Contains(admin.body, "rol.otorgar</td>") {
			t.Error("the action filter lets other actions through")
		}
	})
}

func TestPasskeyOverHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		c := s.citizen()
		c.get("/cuenta/llaves")
		c.mustSee("Llaves de acceso", "Agregar una llave de acceso", `data-passkey="create"`)
		phone := passkeytest.New(s.url)
		st, options := c.postJSON("/cuenta/llaves/opciones", nil)
		if st != http.StatusOK {
			t.Fatalf("options: %d %s", st, options)
		}
		answer, err := phone.Create([]byte(options))
		if err != nil {
			t.Fatal(err)
		}
		st, body := c.postJSON("/cuenta/llaves?nombre="+url.QueryEscape("Mi teléfono"), answer)
		if st != http.StatusOK || !strings.Contains(body, `"/cuenta/llaves"`) {
			t.Fatalf("finish: %d %s", st, body)
		}
		c.get("/cuenta/llaves")
		c.mustSee("Mi teléfono", "La llave de acceso quedó registrada.")
		// The same state cannot be used twice.
		if st, body := c.postJSON("/cuenta/llaves", answer); st != http.StatusUnprocessableEntity || !strings.Contains(body, "No se pudo verificar la llave de acceso") {
			t.Errorf("replayed registration: %d %s", st, body)
		}
		c.post("/salir", nil)

		// Passwordless sign-in.
		b := s.browser()
		b.get("/ingresar")
		b.mustSee(`data-passkey="get"`)
		_, options = b.postJSON("/ingresar/llave/opciones", nil)
		answer, err = phone.Get([]byte(options))
		if err != nil {
			t.Fatal(err)
		}
		st, body = b.postJSON("/ingresar/llave", answer)
		var out map[string]string
		if json.Unmarshal([]byte(body), &out); st != http.StatusOK || out["redirect"] != "/buzon" {
			t.Fatalf("passkey sign-in: %d %s", st, body)
		}
		b.get("/cuenta")
		b.mustSee("Mi cuenta", "llave")
		// A sign-in without a ceremony is refused.
		if st, _ := s.browser().postJSON("/ingresar/llave", answer); st != http.StatusUnprocessableEntity {
			t.Errorf("finish without options = %d", st)
		}
	})
}

func TestSecondFactorPageExpires(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, false)
		_, secret := s.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
		b := s.browser()
		b.post("/ingresar", url.Values{"nui": {operatorNUI}, "password": {password}})
		if b.path != "/ingresar/codigo" {
			t.Fatalf("after the password: %s", b.path)
		}
		s.clock.Advance(identity.SecondFactorWindow + time.Second)
		b.post("/ingresar/codigo", url.Values{"code": {code(t, secret, s.clock.Now())}})
		if b.path != "/ingresar" {
			t.Errorf("an expired second step led to %s", b.path)
		}
		b.mustSee("El tiempo para ingresar el código terminó.")
		if st := s.browser().get("/ingresar/codigo"); st != http.StatusOK {
			t.Errorf("code page without a password = %d", st)
		}
	})
}
