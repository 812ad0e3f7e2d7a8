// Package public is the public site: what Buzón is, who may use it, how to
// create an account, what to do on receiving a notification, the
// institutions' procedures and the frequently asked questions. Its pages
// need no account and hold no personal data.
package public

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// handler serves the public pages.
type handler struct {
	views *view.Set
}

// Routes parses the public site's templates and registers its pages. The
// paths are Spanish and serve both languages.
func Routes(mux *http.ServeMux, v *view.Engine) error {
	views, err := v.Area("public", files)
	if err != nil {
		return fmt.Errorf("public: %w", err)
	}
	h := &handler{views: views}
	mux.HandleFunc("GET /{$}", h.page("home"))
	mux.HandleFunc("GET /acerca", h.page("about"))
	mux.HandleFunc("GET /como-crear-mi-cuenta", h.page("account"))
	mux.HandleFunc("GET /recibiste-una-notificacion", h.page("received"))
	mux.HandleFunc("GET /instituciones", h.page("institutions"))
	mux.HandleFunc("GET /preguntas-frecuentes", h.page("faq"))
	return nil
}
