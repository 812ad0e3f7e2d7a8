package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

// ErrCatalog marks a catalog that cannot be used: a file missing for a
// language, a key present in one language only, a key defined twice.
var ErrCatalog = errors.New("i18n: invalid message catalog")

// Catalog holds the interface texts of every area, by language and key.
//
// Keys are dotted and start with the area's name ("public.home.title"), so
// areas never collide; a key defined by two areas is an error. A catalog is
// filled once at start and only read afterwards, so it needs no lock.
type Catalog struct {
	msgs  map[string]map[string]string // lang → key → text
	owner map[string]string            // key → area that defined it
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	c := &Catalog{msgs: map[string]map[string]string{}, owner: map[string]string{}}
	for _, l := range Languages {
		c.msgs[l] = map[string]string{}
	}
	return c
}

// Load adds the area's messages from dir in fsys: one JSON object of
// key → text per language, in files named es.json and en.json. Both files
// must exist and hold the same keys.
func (c *Catalog) Load(area string, fsys fs.FS, dir string) error {
	byLang := map[string]map[string]string{}
	for _, l := range Languages {
		name := path.Join(dir, l+".json")
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("%w: area %s: %v", ErrCatalog, area, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%w: area %s: %s: %v", ErrCatalog, area, name, err)
		}
		byLang[l] = m
	}
	ref := slices.Sorted(maps.Keys(byLang[Default]))
	for _, l := range Languages {
		keys := slices.Sorted(maps.Keys(byLang[l]))
		if d := diff(ref, keys); d != "" {
			return fmt.Errorf("%w: area %s: %s.json and %s.json differ: %s", ErrCatalog, area, Default, l, d)
		}
	}
	for _, k := range ref {
		if prev, ok := c.owner[k]; ok {
			return fmt.Errorf("%w: key %q defined by areas %s and %s", ErrCatalog, k, prev, area)
		}
		if !strings.HasPrefix(k, area+".") {
			return fmt.Errorf("%w: key %q of area %s must start with %q", ErrCatalog, k, area, area+".")
		}
	}
	for _, k := range ref {
		c.owner[k] = area
		for _, l := range Languages {
			c.msgs[l][k] = byLang[l][k]
		}
	}
	return nil
}

// diff describes the keys missing from either sorted list.
func diff(a, b []string) string {
	var out []string
	for _, k := range a {
		if _, found := slices.BinarySearch(b, k); !found {
			out = append(out, "missing "+k)
		}
	}
	for _, k := range b {
		if _, found := slices.BinarySearch(a, k); !found {
			out = append(out, "extra "+k)
		}
	}
	return strings.Join(out, ", ")
}

// Has reports whether key exists (in every language: Load guarantees it).
func (c *Catalog) Has(key string) bool {
	_, ok := c.owner[key]
	return ok
}

// T translates key into lang. With args the text is a fmt format
// ("Tienes %d notificaciones"); without, it is returned as written, so a
// literal % needs no escaping. A missing key returns the key itself, which
// the template test catches before it reaches anyone.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[Default]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
