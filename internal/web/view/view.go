// Package view renders the site's pages: the shared layout, the error pages,
// the stylesheet and favicon, and the templates and message catalogs of each
// area (public site, development mailbox, and the portals to come).
//
// All templates are parsed once, at start, from embedded files: one copy per
// language, each with its own translation function, so rendering never
// changes shared state. Handlers call Set.Render and never write HTML.
package view

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"buzon/internal/blob"
	"buzon/internal/store"
	"buzon/internal/web/i18n"
	"buzon/internal/web/request"
)

//go:embed layout templates messages static
var files embed.FS

// siteArea names the view package's own templates and messages (layout,
// navigation, error pages); their keys start with "site.".
const siteArea = "site"

// Config is what the engine needs from the shell.
type Config struct {
	Logger  *slog.Logger // receives server errors; nil discards them
	Version string       // shown in the footer
}

// Engine owns the layout, the catalog of every area's messages and the
// static assets. The shell creates one; each area parses its templates
// with Area and renders through the Set it gets back.
type Engine struct {
	log     *slog.Logger
	version string
	catalog *i18n.Catalog
	assets  *assets
	base    map[string]*template.Template // lang → layout and shared partials
	sets    []*Set
	site    *Set // error pages
}

// New parses the layout and the error pages and hashes the static assets.
func New(cfg Config) (*Engine, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{log: cfg.Logger, version: cfg.Version, catalog: i18n.NewCatalog(), base: map[string]*template.Template{}}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	if e.assets, err = newAssets(static); err != nil {
		return nil, err
	}
	for _, lang := range i18n.Languages {
		t, err := template.New("layout").Funcs(e.funcs(lang)).ParseFS(files, "layout/*.html")
		if err != nil {
			return nil, fmt.Errorf("view: layout: %w", err)
		}
		e.base[lang] = t
	}
	if e.site, err = e.Area(siteArea, files); err != nil {
		return nil, err
	}
	return e, nil
}

// Set is the parsed templates of one area: each page, in each language.
type Set struct {
	e     *Engine
	area  string
	pages map[string]map[string]*template.Template // page → lang → template
}

// Area loads an area's messages (messages/es.json and messages/en.json, if
// the directory exists) and parses its templates (templates/*.html) on top
// of the layout. Call it at start only.
//
// File names decide what a template is: templates/partials/*.html are
// parsed into every page of the area (a partial may redefine the layout's
// "nav" and "account" blocks); templates/name.html is a page rendered in every language through the catalog;
// "name.es.html" plus "name.en.html" is a page written once per language,
// for long texts. A page defines "title" and "content".
func (e *Engine) Area(area string, fsys fs.FS) (*Set, error) {
	if _, err := fs.Stat(fsys, "messages"); err == nil {
		if err := e.catalog.Load(area, fsys, "messages"); err != nil {
			return nil, err
		}
	}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: area %s: %w", area, err)
	}
	partials, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: area %s: %w", area, err)
	}
	pageFiles := map[string]map[string]string{} // page → lang ("" for all) → file
	for _, f := range names {
		base := strings.TrimSuffix(path.Base(f), ".html")
		page, lang := base, ""
		if i := strings.LastIndexByte(base, '.'); i > 0 && i18n.Supported(base[i+1:]) {
			page, lang = base[:i], base[i+1:]
		}
		if pageFiles[page] == nil {
			pageFiles[page] = map[string]string{}
		}
		pageFiles[page][lang] = f
	}
	s := &Set{e: e, area: area, pages: map[string]map[string]*template.Template{}}
	for _, lang := range i18n.Languages {
		root, err := e.base[lang].Clone()
		if err != nil {
			return nil, fmt.Errorf("view: area %s: %w", area, err)
		}
		if len(partials) > 0 {
			if _, err := root.ParseFS(fsys, partials...); err != nil {
				return nil, fmt.Errorf("view: area %s: %w", area, err)
			}
		}
		for page, byLang := range pageFiles {
			f, ok := byLang[lang]
			if !ok {
				f, ok = byLang[""]
			}
			if !ok || (len(byLang) > 1 && byLang[""] != "") {
				return nil, fmt.Errorf("view: area %s: page %s needs either %s.html or one file per language (%s.%s.html)",
					area, page, page, page, lang)
			}
			t, err := root.Clone()
			if err != nil {
				return nil, fmt.Errorf("view: area %s: %w", area, err)
			}
			if _, err := t.ParseFS(fsys, f); err != nil {
				return nil, fmt.Errorf("view: area %s: %w", area, err)
			}
			if t.Lookup("content") == nil {
				return nil, fmt.Errorf("view: area %s: %s does not define \"content\"", area, f)
			}
			if s.pages[page] == nil {
				s.pages[page] = map[string]*template.Template{}
			}
			s.pages[page][lang] = t
		}
	}
	e.sets = append(e.sets, s)
	return s, nil
}

// Page is what every template receives: the request's language and paths
// for the layout, and the handler's own data in Data.
type Page struct {
	Lang      string
	Path      string // the URL path, to mark the current navigation link
	Return    string // path and query, where the language switch comes back to
	RequestID string
	Version   string
	Data      any
}

// Render writes the page with status 200.
func (s *Set) Render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.RenderStatus(w, r, http.StatusOK, name, data)
}

// RenderStatus writes the page with the given status. The page is rendered
// into a buffer first, so a template error becomes a clean 500 page rather
// than half a page.
func (s *Set) RenderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	if err := s.render(w, r, status, name, data); err != nil {
		s.e.ServerError(w, r, err)
	}
}

func (s *Set) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	lang := i18n.Lang(r)
	t := s.pages[name][lang]
	if t == nil {
		return fmt.Errorf("view: area %s has no page %q", s.area, name)
	}
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "layout", Page{
		Lang:      lang,
		Path:      r.URL.Path,
		Return:    r.URL.RequestURI(),
		RequestID: request.ID(r),
		Version:   s.e.version,
		Data:      data,
	})
	if err != nil {
		return fmt.Errorf("view: render %s/%s (%s): %w", s.area, name, lang, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	// Pages may hold personal data: no cache may keep them.
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// T translates a key for the request's language, for texts built in Go.
func (s *Set) T(r *http.Request, key string, args ...any) string {
	return s.e.catalog.T(i18n.Lang(r), key, args...)
}

// NotFound writes the 404 page.
func (s *Set) NotFound(w http.ResponseWriter, r *http.Request) { s.e.NotFound(w, r) }

// ServerError logs err and writes the 500 page.
func (s *Set) ServerError(w http.ResponseWriter, r *http.Request, err error) {
	s.e.ServerError(w, r, err)
}

// NotFound writes the 404 page in the request's language.
func (e *Engine) NotFound(w http.ResponseWriter, r *http.Request) {
	e.site.RenderStatus(w, r, http.StatusNotFound, "not_found", nil)
}

// Forbidden writes the 403 page shown when a form is posted from another site.
func (e *Engine) Forbidden(w http.ResponseWriter, r *http.Request) {
	e.site.RenderStatus(w, r, http.StatusForbidden, "forbidden", nil)
}

// ServerError logs err with the request id and writes the 500 page, which
// shows the id so a citizen can quote it; the cause stays in the log.
//
// An unreachable database (store.ErrUnavailable) or an attachment store that
// cannot be written (blob.Unwritable) is not a bug but an outage the server
// recovers from by itself: it answers 503 with Retry-After, so load
// balancers and clients wait and retry instead of giving up.
func (e *Engine) ServerError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, store.ErrUnavailable) || blob.Unwritable(err) {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "30")
		e.log.WarnContext(r.Context(), "database unavailable", "err", err, "request_id", request.ID(r),
			"method", r.Method, "path", r.URL.Path)
	} else {
		e.log.ErrorContext(r.Context(), "server error", "err", err, "request_id", request.ID(r),
			"method", r.Method, "path", r.URL.Path)
	}
	if rerr := e.site.render(w, r, status, "server_error", nil); rerr != nil {
		e.log.ErrorContext(r.Context(), "cannot render the error page", "err", rerr, "request_id", request.ID(r))
		http.Error(w, http.StatusText(status), status)
	}
}

// T translates a key into lang.
func (e *Engine) T(lang, key string, args ...any) string { return e.catalog.T(lang, key, args...) }

// ErrMissingMessage reports a template using a key the catalogs lack.
var ErrMissingMessage = errors.New("view: message key used in a template is missing from the catalogs")

// Check walks every parsed template of every area and reports each constant
// key given to t that the catalogs lack, and each asset name that does not
// exist. The shell calls it at start, so a missing translation stops the
// server in the tests instead of reaching a citizen.
func (e *Engine) Check() error {
	seen := map[string]bool{}
	var errs []error
	report := func(err error) {
		if !seen[err.Error()] {
			seen[err.Error()] = true
			errs = append(errs, err)
		}
	}
	for _, s := range e.sets {
		for _, page := range slices.Sorted(maps.Keys(s.pages)) {
			for _, lang := range i18n.Languages {
				for _, t := range s.pages[page][lang].Templates() {
					if t.Tree == nil {
						continue
					}
					walk(t.Tree.Root, func(fn, arg string) {
						switch {
						case fn == "t" && !e.catalog.Has(arg):
							report(fmt.Errorf("%w: %q in %s/%s (%s)", ErrMissingMessage, arg, s.area, t.Name(), lang))
						case fn == "asset" && e.assets.byName[arg] == nil:
							report(fmt.Errorf("view: asset %q used in %s/%s does not exist", arg, s.area, t.Name()))
						}
					})
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Keys lists the constant message keys the templates use, for tests.
func (e *Engine) Keys() []string {
	keys := map[string]bool{}
	for _, s := range e.sets {
		for _, byLang := range s.pages {
			for _, t := range byLang {
				for _, tt := range t.Templates() {
					if tt.Tree != nil {
						walk(tt.Tree.Root, func(fn, arg string) {
							if fn == "t" {
								keys[arg] = true
							}
						})
					}
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(keys))
}

// ecuador is mainland Ecuador's time (UTC−5, no daylight saving), in which
// dates are shown; they are stored in UTC.
var ecuador = time.FixedZone("ECT", -5*60*60)

var months = map[string][12]string{
	i18n.Spanish: {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	i18n.English: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// funcs are the template functions, bound to one language.
func (e *Engine) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return e.catalog.T(lang, key, args...) },
		"asset": func(name string) (string, error) {
			a := e.assets.byName[name]
			if a == nil {
				return "", fmt.Errorf("no asset %q", name)
			}
			return "/static/" + a.hashed, nil
		},
		"datetime": func(t time.Time) string { return formatDateTime(lang, t) },
	}
}

// formatDateTime writes t in Ecuador's time as "2 de enero de 2026, 14:05"
// or "2 January 2026, 14:05".
func formatDateTime(lang string, t time.Time) string {
	t = t.In(ecuador)
	m := months[lang][t.Month()-1]
	if lang == i18n.Spanish {
		return fmt.Sprintf("%d de %s de %d, %s", t.Day(), m, t.Year(), t.Format("15:04"))
	}
	return fmt.Sprintf("%d %s %d, %s", t.Day(), m, t.Year(), t.Format("15:04"))
}
