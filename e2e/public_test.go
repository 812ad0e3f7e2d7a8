package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"buzon/internal/store"
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

	// The first Tab reaches the skip link, which shows itself.
	b.Press(kb.Tab)
	if text, visible := b.Focused(); text != "Saltar al contenido principal" || !visible {
		t.Errorf("first Tab focuses %q (visible %v), want the visible skip link", text, visible)
	}
	b.Screenshot("skip-link")
	b.Press(kb.Enter)
	if got := b.Path(); got != "/" {
		t.Errorf("the skip link left the page for %s", got)
	}
	b.Press(kb.Tab)
	if text, _ := b.Focused(); text != "Crear mi cuenta" {
		t.Errorf("Tab after the skip link focuses %q, want the first link of the main content", text)
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

// TestDevMailbox reads a kept email in the development mailbox: the list,
// then the message with its text and its HTML shown as source.
func TestDevMailbox(t *testing.T) {
	srv := StartServer(t, nil)
	ctx := context.Background()
	err := srv.DB().Write(ctx, func(tx *store.Tx) error {
		return tx.SaveDevMail(ctx, &store.DevMail{
			MessageID: "<e2e@buzon.localhost>", From: "Buzón <no-responder@buzon.localhost>", To: "ana@example.ec",
			Subject: "Tienes una nueva notificación", Text: "Código de verificación: K7Q-2PX",
			HTML: "<p>Código de verificación: <b>K7Q-2PX</b></p>", CreatedAt: time.Date(2026, 3, 2, 15, 4, 0, 0, time.UTC),
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t, srv.URL, BrowserOptions{})
	b.Visit("lista", "/dev/mail")
	b.MustSee("Buzón de desarrollo", "ana@example.ec", "2 de marzo de 2026, 10:04")
	b.ClickLink("mensaje", "Tienes una nueva notificación")
	b.MustSee("Código de verificación: K7Q-2PX", "<p>Código de verificación: <b>K7Q-2PX</b></p>")
}
