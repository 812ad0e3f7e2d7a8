package institutions

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strings"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// base is what every page of the area gets: the signed-in person (nil on
// the public pages when nobody is), the request's language and a one-time
// message.
type base struct {
	Me    *identity.Principal
	Lang  string
	Flash string
}

func (h *handler) base(r *http.Request) base {
	b := base{Me: session.Principal(r), Lang: i18n.Lang(r)}
	if key := h.sess.PopFlash(r.Context()); key != "" {
		b.Flash = h.views.T(r, key)
	}
	return b
}

// English reports whether the page is in English, for the labels built in Go.
func (b base) English() bool { return b.Lang == i18n.English }

// form holds what a person typed and the refusals to show: each next to
// its field and all of them in the summary at the top.
type form struct {
	Values  map[string]string
	Errors  map[string]string
	Summary []problem
	// ids renames a domain field to the id it has on the page, where
	// several forms share one page (every "reason" needs its own id).
	ids map[string]string
}

// problem is one line of the error summary; Field is the id it links to
// ("" for a refusal of the form as a whole).
type problem struct {
	Field, Message string
}

func emptyForm() *form { return &form{Values: map[string]string{}, Errors: map[string]string{}} }

// newForm keeps the named fields of a posted form to show again.
func newForm(r *http.Request, fields ...string) *form {
	f := emptyForm()
	for _, name := range fields {
		f.Values[name] = r.PostFormValue(name)
	}
	return f
}

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

// withID gives a domain field another id on the page, keeping its value
// under that id.
func (f *form) withID(field, id string) *form {
	if f.ids == nil {
		f.ids = map[string]string{}
	}
	f.ids[field] = id
	if v, ok := f.Values[field]; ok {
		f.Values[id] = v
	}
	return f
}

// Failed reports whether anything was refused.
func (f *form) Failed() bool { return len(f.Summary) > 0 }

// refuse records a refusal from the domain on f (every refusal of an
// *institution.Invalid, each next to its field when the form has it) and
// reports true; an error not meant for people reports false.
func (h *handler) refuse(r *http.Request, f *form, err error, fields ...string) bool {
	var inv *institution.Invalid
	errs := []error{err}
	if errors.As(err, &inv) {
		errs = inv.Errors
	}
	for _, e := range errs {
		msg, ok := session.Message(r, e)
		if !ok {
			return false
		}
		field := institution.FieldOf(e)
		if id, ok := f.ids[field]; ok {
			field = id
		}
		known := false
		for _, name := range fields {
			known = known || name == field
		}
		if !known {
			field = ""
		}
		f.add(field, msg)
	}
	return true
}

// fail renders page again with the refusal, with status 422, or the 500
// page for an unexpected error.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, page string, data any, f *form, err error, fields ...string) {
	if !h.refuse(r, f, err, fields...) {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, page, data)
}

// denied answers the domain's refusals of access: ErrForbidden with the
// 403 page, ErrNotFound with the 404 page, anything else with the 500 page.
func (h *handler) denied(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, institution.ErrForbidden):
		h.sess.Forbidden(w, r)
	case errors.Is(err, institution.ErrNotFound):
		h.views.NotFound(w, r)
	default:
		h.views.ServerError(w, r, err)
	}
}

// redirect answers a successful POST with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// multipartMemory is how much of an upload is kept in memory; the rest
// goes to temporary files, removed when the request ends.
const multipartMemory = 1 << 20

// parseUpload bounds and parses a form with files. The bound leaves room
// for files of up to perFile bytes each (the domain refuses a bigger one
// next to its field); a body over it is ErrUploadTooLarge for the form.
func parseUpload(w http.ResponseWriter, r *http.Request, files int, perFile int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, int64(files)*(perFile+perFile/4)+multipartMemory)
	if err := r.ParseMultipartForm(multipartMemory); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return institution.ErrUploadTooLarge
		}
		if errors.Is(err, http.ErrNotMultipart) && r.ParseForm() == nil {
			// A form posted without files (no enctype): its fields are still read.
			return nil
		}
		return institution.ErrFormUnreadable
	}
	return nil
}

// uploads opens the files posted under names (an empty Upload when none
// was chosen); done closes them and removes the temporary files.
func uploads(r *http.Request, names ...string) (files map[string]institution.Upload, done func()) {
	files = map[string]institution.Upload{}
	var opened []multipart.File
	done = func() {
		for _, f := range opened {
			f.Close()
		}
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	}
	if r.MultipartForm == nil {
		return files, done
	}
	for _, name := range names {
		fhs := r.MultipartForm.File[name]
		if len(fhs) == 0 {
			continue
		}
		f, err := fhs[0].Open()
		if err != nil {
			continue
		}
		opened = append(opened, f)
		files[name] = institution.Upload{Name: fhs[0].Filename, Size: fhs[0].Size, Content: f}
	}
	return files, done
}

// option is one choice of a select or of radio buttons.
type option struct {
	Value, Label, Hint string
}

// labelled is what the domain's enumerations offer: their name in each language.
type labelled interface {
	Spanish() string
	English() string
}

func label(lang string, v labelled) string {
	if lang == i18n.English {
		return v.English()
	}
	return v.Spanish()
}

func sectorOptions(lang string) []option {
	var out []option
	for _, s := range institution.Sectors() {
		out = append(out, option{Value: string(s), Label: label(lang, s)})
	}
	return out
}

func modalityOptions(h *handler, r *http.Request) []option {
	lang := i18n.Lang(r)
	return []option{
		{Value: string(institution.ModalityPlatform), Label: label(lang, institution.ModalityPlatform),
			Hint: h.views.T(r, "institutions.modality.platform.hint")},
		{Value: string(institution.ModalityInterconnection), Label: label(lang, institution.ModalityInterconnection),
			Hint: h.views.T(r, "institutions.modality.interconnection.hint")},
	}
}

// trimmed returns a form value without surrounding spaces.
func trimmed(r *http.Request, name string) string { return strings.TrimSpace(r.FormValue(name)) }

// fieldView is what the "field" partial draws: a labelled input with its
// hint and its refusal, wired for screen readers.
type fieldView struct {
	ID, Label, Hint, Type, Autocomplete, Value, Error, Class, Accept, InputMode string
	Rows                                                                        int
}

// Field describes one input of the form for the "field" partial: typ is an
// input type ("text", "email", "tel", "url", "file", "number") or
// "textarea"; class adds a width ("input-short").
func (f *form) Field(id, label, hint, typ, autocomplete, class string) fieldView {
	v := fieldView{ID: id, Label: label, Hint: hint, Type: typ, Autocomplete: autocomplete, Value: f.Values[id],
		Error: f.Errors[id], Class: class}
	switch typ {
	case "file":
		v.Accept = "application/pdf,.pdf"
		if id == "logo" {
			v.Accept = "image/png,image/jpeg"
		}
	case "textarea":
		v.Rows = 3
	case "numeric":
		v.Type, v.InputMode = "text", "numeric"
	}
	return v
}

// ErrorFor is the refusal of a field for the "field-error" partial.
func (f *form) ErrorFor(id string) problem { return problem{Field: id, Message: f.Errors[id]} }

// newFormAs is newForm for a form whose domain field is posted under
// another id (id) because the page holds several forms with that field.
func newFormAs(r *http.Request, field, id string, others ...string) *form {
	f := newForm(r, others...)
	f.Values[field] = r.PostFormValue(id)
	return f.withID(field, id)
}
