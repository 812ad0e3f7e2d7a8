// Package devmail shows the development mailbox: the emails Buzón would have
// sent, kept in the database when no SMTP server is configured. It exists
// only in development mode (--dev); elsewhere its paths are 404.
package devmail

import (
	"context"
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/store"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// Mailbox reads the development mailbox.
type Mailbox interface {
	DevMails(ctx context.Context, limit int) ([]store.DevMail, error)
	DevMail(ctx context.Context, id string) (*store.DevMail, error)
}

// Options says whether to show the mailbox and where to read it.
type Options struct {
	Enabled bool
	Mailbox Mailbox
}

// listLimit bounds the list page; the newest messages come first.
const listLimit = 200

type handler struct {
	views   *view.Set
	mailbox Mailbox
}

// Routes registers /dev/mail and /dev/mail/{id} when enabled with a mailbox.
func Routes(mux *http.ServeMux, v *view.Engine, o Options) error {
	if !o.Enabled || o.Mailbox == nil {
		return nil
	}
	views, err := v.Area("devmail", files)
	if err != nil {
		return fmt.Errorf("devmail: %w", err)
	}
	h := &handler{views: views, mailbox: o.Mailbox}
	mux.HandleFunc("GET /dev/mail", h.list)
	mux.HandleFunc("GET /dev/mail/{id}", h.show)
	return nil
}
