package interconnection

import (
	"errors"
	"net/http"

	"buzon/internal/apikey"
	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
	"buzon/internal/webhook"
)

// consolePage is what every console page of the area shares: the signed-in
// administrator, the institution, the open tab and a one-time message.
type consolePage struct {
	Me          *identity.Principal
	Lang        string
	Flash       string
	Institution *institution.Institution
	Tab         string
	// Interconnection is false for an institution that sends from the
	// platform's screens: the pages then only say so.
	Interconnection bool
	Form            *form
}

// English reports whether the page is in English.
func (c *consolePage) English() bool { return c.Lang == i18n.English }

// console loads the institution of the path for its administrator,
// answering 403 for anyone else.
func (h *handler) console(w http.ResponseWriter, r *http.Request, tab string) (*consolePage, bool) {
	p := session.Principal(r)
	id := r.PathValue("id")
	if identity.RequireIn(p, identity.RoleInstitutionAdmin, id) != nil {
		h.sess.Forbidden(w, r)
		return nil, false
	}
	inst, err := h.deps.Institutions.Institution(r.Context(), p, id)
	switch {
	case errors.Is(err, institution.ErrForbidden):
		h.sess.Forbidden(w, r)
		return nil, false
	case errors.Is(err, institution.ErrNotFound):
		h.views.NotFound(w, r)
		return nil, false
	case err != nil:
		h.views.ServerError(w, r, err)
		return nil, false
	}
	c := &consolePage{Me: p, Lang: i18n.Lang(r), Institution: inst, Tab: tab,
		Interconnection: inst.Modality == institution.ModalityInterconnection, Form: emptyForm()}
	if key := h.sess.PopFlash(r.Context()); key != "" {
		c.Flash = h.views.T(r, key)
	}
	return c, true
}

// form holds what a person typed and the refusals to show next to each
// field and in the summary at the top.
type form struct {
	Values  map[string]string
	Errors  map[string]string
	Summary []problem
}

// problem is one line of the error summary.
type problem struct {
	Field, Message string
}

func emptyForm() *form { return &form{Values: map[string]string{}, Errors: map[string]string{}} }

// Failed reports whether anything was refused.
func (f *form) Failed() bool { return len(f.Summary) > 0 }

func (f *form) add(field, message string) {
	if field != "" {
		if _, dup := f.Errors[field]; dup {
			return
		}
		f.Errors[field] = message
	}
	f.Summary = append(f.Summary, problem{field, message})
}

// coded is what the domain's refusals offer.
type coded interface {
	error
	Code() string
	English() string
	Field() string
}

// refuse puts a domain refusal on the form, next to its field when the
// form has it, and reports false for an error not meant for people.
func refuse(r *http.Request, f *form, err error, fields ...string) bool {
	var c coded
	if !errors.As(err, &c) {
		return false
	}
	msg := c.Error()
	if i18n.Lang(r) == i18n.English {
		msg = c.English()
	}
	field := ""
	for _, name := range fields {
		if name == c.Field() {
			field = name
		}
	}
	f.add(field, msg)
	return true
}

// denied answers the domains' refusals of access.
func (h *handler) denied(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, apikey.ErrForbidden), errors.Is(err, webhook.ErrForbidden):
		h.sess.Forbidden(w, r)
	case errors.Is(err, apikey.ErrNotFound), errors.Is(err, webhook.ErrNotFound):
		h.views.NotFound(w, r)
	default:
		h.views.ServerError(w, r, err)
	}
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
