// Package i18n chooses the language of each request and translates the
// interface's short texts (labels, buttons, messages) from catalogs that
// each area of the site keeps in its own files.
//
// Spanish is the default; English is the only other language. The choice
// comes from the cookie set by the language switch, else from the browser's
// Accept-Language header, else Spanish.
package i18n

import (
	"context"
	"net/http"

	"golang.org/x/text/language"
)

// The languages of the interface, as used in <html lang>, catalogs and file names.
const (
	Spanish = "es"
	English = "en"
)

// Default is the language used when nothing else says otherwise.
const Default = Spanish

// Languages lists every supported language, the default first.
var Languages = []string{Spanish, English}

// CookieName is the cookie in which the language switch remembers the choice.
const CookieName = "buzon_lang"

// matcher's first tag is the fallback, so an unknown language gets Spanish.
var matcher = language.NewMatcher([]language.Tag{language.Spanish, language.English})

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Negotiate returns the language for r: the cookie if it names a supported
// language, else the best match of Accept-Language, else Default.
func Negotiate(r *http.Request) string {
	if c, err := r.Cookie(CookieName); err == nil && Supported(c.Value) {
		return c.Value
	}
	return FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// FromAcceptLanguage matches an Accept-Language header value against the
// supported languages; a header it cannot parse or match gives Default.
func FromAcceptLanguage(header string) string {
	if header == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}

type ctxKey struct{}

// WithLang returns a context carrying the request's language.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, ctxKey{}, lang)
}

// Lang returns the language of the request: the one stored by WithLang (the
// web shell does this for every request), else the negotiated one.
func Lang(r *http.Request) string {
	if l, ok := r.Context().Value(ctxKey{}).(string); ok {
		return l
	}
	return Negotiate(r)
}
