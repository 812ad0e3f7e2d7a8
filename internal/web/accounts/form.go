package accounts

import (
	"errors"
	"net/http"
	"strings"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// base is what every page of the area gets: the signed-in person (for the
// masthead and navigation) and a one-time message.
type base struct {
	Me    *identity.Principal
	Flash string
	// Passkeys is false when the site cannot offer passkeys (reached by IP address).
	PasskeysOn bool
}

func (h *handler) base(r *http.Request) base {
	b := base{Me: session.Principal(r), PasskeysOn: h.ids.PasskeysAvailable()}
	if key := h.sess.PopFlash(r.Context()); key != "" {
		b.Flash = h.views.T(r, key)
	}
	return b
}

// form holds what a person typed (never passwords) and the refusals to show:
// each next to its field and all of them in the summary at the top.
type form struct {
	Values  map[string]string
	Errors  map[string]string
	Summary []problem
}

// problem is one line of the error summary; Field is the id it links to
// ("" for a refusal of the form as a whole).
type problem struct {
	Field, Message string
}

// newForm keeps the named fields of a posted form, trimmed, to show again.
func newForm(r *http.Request, fields ...string) *form {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	return f
}

func emptyForm() *form { return &form{Values: map[string]string{}, Errors: map[string]string{}} }

// add records a refusal of field ("" for the whole form).
func (f *form) add(field, message string) {
	if field != "" {
		if _, dup := f.Errors[field]; dup {
			return
		}
		f.Errors[field] = message
	}
	f.Summary = append(f.Summary, problem{field, message})
}

// Failed reports whether anything was refused.
func (f *form) Failed() bool { return len(f.Summary) > 0 }

// refuse records a refusal from the domain on f, next to its field (or to
// fallback when the domain names none that the form has), and reports true;
// an error not meant for people reports false, for the caller to answer with
// the 500 page.
func (h *handler) refuse(r *http.Request, f *form, err error, fields ...string) bool {
	msg, ok := session.Message(r, err)
	if !ok {
		return false
	}
	field := identity.FieldOf(err)
	known := false
	for _, name := range fields {
		known = known || name == field
	}
	if !known {
		field = ""
	}
	f.add(field, msg)
	return true
}

// fail renders page again with the refusal, with status 422, or the 500 page
// for an unexpected error.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, page string, data any, f *form, err error, fields ...string) {
	if !h.refuse(r, f, err, fields...) {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, page, data)
}

// notFoundOr answers identity.ErrNotFound with the 404 page and anything
// else with the 500 page.
func (h *handler) notFoundOr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, identity.ErrNotFound) {
		h.views.NotFound(w, r)
		return
	}
	h.views.ServerError(w, r, err)
}

// redirect answers a successful POST with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// fieldError is what the "field-error" partial shows under a field's label.
type fieldError struct {
	Field, Message string
}

// ErrorFor returns the refusal of field for the "field-error" partial.
func (f *form) ErrorFor(field string) fieldError { return fieldError{field, f.Errors[field]} }

// reasonField is what the "reason-field" partial needs: the form and the id
// of the textarea (pages with several forms prefix it).
type reasonField struct {
	Form *form
	ID   string
}

// Reason returns the "reason-field" partial's data for the textarea id.
func (f *form) Reason(id string) reasonField { return reasonField{f, id} }
