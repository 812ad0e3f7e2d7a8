package registrations

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"buzon/internal/eligibility"
	"buzon/internal/esign"
	"buzon/internal/identity"
	"buzon/internal/registration"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// base is what every page of the area gets: the signed-in person, if any.
type base struct {
	Me *identity.Principal
}

func (h *handler) base(r *http.Request) base { return base{Me: session.Principal(r)} }

// form holds what a person typed (never passwords) and the refusals to
// show: each next to its field and all of them in the summary at the top.
type form struct {
	Values  map[string]string
	Errors  map[string]string
	Summary []problem
	// Advice says what to do about the refusal, when there is more to say
	// than the refusal itself (a signature refused, say).
	Advice string
}

// problem is one line of the error summary; Field is the id it links to.
type problem struct {
	Field, Message string
}

func newForm(r *http.Request, fields ...string) *form {
	f := emptyForm()
	for _, name := range fields {
		f.Values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	return f
}

func emptyForm() *form { return &form{Values: map[string]string{}, Errors: map[string]string{}} }

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

// fieldError is what the "field-error" partial shows under a label.
type fieldError struct {
	Field, Message string
}

// ErrorFor returns the refusal of field for the "field-error" partial.
func (f *form) ErrorFor(field string) fieldError { return fieldError{field, f.Errors[field]} }

// refuse records a refusal from the domain on f, next to its field when the
// form has it, with advice for the refusals that need it, and reports
// true; an error not meant for people reports false.
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
	var c identity.Coded
	if errors.As(err, &c) {
		if key, ok := adviceKeys[c.Code()]; ok {
			f.Advice = h.views.T(r, key)
		}
	}
	return true
}

// adviceKeys name, for each refusal of a signed document, the message that
// says what to do about it.
var adviceKeys = map[string]string{
	esign.ErrNotPDF.Code:                "registrations.advice.not_pdf",
	esign.ErrUnsigned.Code:              "registrations.advice.unsigned",
	esign.ErrMalformedSignature.Code:    "registrations.advice.resign",
	esign.ErrContentAppended.Code:       "registrations.advice.appended",
	esign.ErrNotIssuedDocument.Code:     "registrations.advice.not_issued",
	esign.ErrSignatureInvalid.Code:      "registrations.advice.resign",
	esign.ErrDigestMismatch.Code:        "registrations.advice.altered",
	esign.ErrUnsupportedAlgorithm.Code:  "registrations.advice.algorithm",
	esign.ErrUntrusted.Code:             "registrations.advice.untrusted",
	esign.ErrCertificateExpired.Code:    "registrations.advice.expired",
	esign.ErrKeyUsage.Code:              "registrations.advice.key_usage",
	esign.ErrRevoked.Code:               "registrations.advice.revoked",
	esign.ErrRevocationUnknown.Code:     "registrations.advice.revocation_unknown",
	esign.ErrNoCedula.Code:              "registrations.advice.no_cedula",
	esign.ErrCedulaMismatch.Code:        "registrations.advice.cedula_mismatch",
	registration.ErrFileTooLarge.Code(): "registrations.advice.too_large",
	registration.ErrExpired.Code():      "registrations.advice.start_again",
	registration.ErrNotFound.Code():     "registrations.advice.start_again",
	registration.ErrCancelled.Code():    "registrations.advice.start_again",
}

// message is the sentence for a stored refusal code, for the list of
// attempts: esign's sentence, or the code itself for an unknown one.
func (h *handler) message(r *http.Request, code string) string {
	if e, ok := esignErrors[code]; ok {
		if i18n.Lang(r) == i18n.English {
			return e.EN
		}
		return e.ES
	}
	if key, ok := codeKeys[code]; ok {
		return h.views.T(r, key)
	}
	return code
}

// codeKeys name the sentences of the refusals, other than esign's, that a
// stored attempt may carry (found valid, then refused by eligibility).
var codeKeys = map[string]string{
	identity.ErrAlreadyRegistered.Code(): "registrations.code.already_registered",
	eligibility.ErrDeceased.Code():       "registrations.code.not_eligible",
	eligibility.ErrCancelled.Code():      "registrations.code.not_eligible",
	eligibility.ErrNotInRegistry.Code():  "registrations.code.not_eligible",
	eligibility.ErrTooYoung.Code():       "registrations.code.not_eligible",
	eligibility.ErrTooOld.Code():         "registrations.code.not_eligible",
}

var esignErrors = func() map[string]*esign.Error {
	m := map[string]*esign.Error{}
	for _, e := range []*esign.Error{esign.ErrNotPDF, esign.ErrUnsigned, esign.ErrMalformedSignature, esign.ErrContentAppended,
		esign.ErrNotIssuedDocument, esign.ErrSignatureInvalid, esign.ErrDigestMismatch, esign.ErrUnsupportedAlgorithm,
		esign.ErrUntrusted, esign.ErrCertificateExpired, esign.ErrKeyUsage, esign.ErrRevoked, esign.ErrRevocationUnknown,
		esign.ErrNoCedula, esign.ErrCedulaMismatch} {
		m[e.Code] = e
	}
	return m
}()

// redirect answers a successful POST with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// ref reads the application cookie.
func (h *handler) ref(r *http.Request) (registration.Ref, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return registration.Ref{}, false
	}
	return registration.ParseRef(c.Value)
}

// keep sets the application cookie for as long as the application lasts.
// Its path is /registro, so no other page ever receives it.
func (h *handler) keep(w http.ResponseWriter, ref registration.Ref) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: ref.String(), Path: "/registro",
		MaxAge: int(h.svc.Lifetime() / time.Second), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// forget removes the application cookie.
func (h *handler) forget(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/registro", MaxAge: -1, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode})
}
