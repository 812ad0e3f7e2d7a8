package e2e

import (
	"testing"
)

// TestCreateAccountJourney is a citizen finding out how to create an
// account: from the home page to the requirements of both channels, then
// reading the same page in English.
func TestCreateAccountJourney(t *testing.T) {
	srv := StartServer(t, nil)
	b := NewBrowser(t, srv.URL, BrowserOptions{})

	b.Visit("home", "/")
	if got := b.Lang(); got != "es" {
		t.Errorf("home page lang = %q, want es", got)
	}
	if got := b.Text("h1"); got != "¡Tus notificaciones del Estado, siempre a la mano!" {
		t.Errorf("home h1 = %q", got)
	}

	b.ClickLink("como-crear-mi-cuenta", "¿Cómo crear mi cuenta?")
	if got := b.Path(); got != "/como-crear-mi-cuenta" {
		t.Fatalf("link led to %s", got)
	}
	if got := b.Text("h1"); got != "¿Cómo crear mi cuenta?" {
		t.Errorf("h1 = %q", got)
	}
	b.MustSee(
		"Canal virtual",
		"Número de cédula (N.U.I.).",
		"Correo electrónico habitual.",
		"Certificado de firma electrónica vigente.",
		"Canal presencial",
		"Cédula de ciudadanía.",
	)

	b.ClickLink("english", "English")
	if got := b.Path(); got != "/como-crear-mi-cuenta" {
		t.Errorf("the language switch led to %s, want the same page", got)
	}
	if got := b.Lang(); got != "en" {
		t.Errorf("lang = %q after switching to English", got)
	}
	if got := b.Text("h1"); got != "How do I create my account?" {
		t.Errorf("English h1 = %q", got)
	}
	b.MustSee(
		"Online channel",
		"Your identity card number (N.U.I.).",
		"A valid electronic signature certificate.",
		"In-person channel",
	)

	// The choice sticks: the next page is English too.
	b.ClickLink("english-about", "About Buzón")
	if got := b.Lang(); got != "en" {
		t.Errorf("lang = %q on the next page, want en", got)
	}
}

// TestPublicSiteOnAPhone visits every public page in both languages on a
// phone-sized screen, so each is checked for accessibility and errors.
func TestPublicSiteOnAPhone(t *testing.T) {
	srv := StartServer(t, nil)
	for _, lang := range []struct{ name, accept string }{{"es", "es-EC,es;q=0.9"}, {"en", "en-US,en;q=0.9"}} {
		t.Run(lang.name, func(t *testing.T) {
			b := NewBrowser(t, srv.URL, BrowserOptions{Phone: true, AcceptLanguage: lang.accept})
			for _, p := range []struct{ step, path string }{
				{"home", "/"},
				{"acerca", "/acerca"},
				{"como-crear-mi-cuenta", "/como-crear-mi-cuenta"},
				{"recibiste-una-notificacion", "/recibiste-una-notificacion"},
				{"instituciones", "/instituciones"},
				{"preguntas-frecuentes", "/preguntas-frecuentes"},
			} {
				b.Visit(p.step, p.path)
				if got := b.Lang(); got != lang.name {
					t.Errorf("%s: lang = %q, want %s", p.path, got, lang.name)
				}
			}
		})
	}
}
