package i18n

import (
	"errors"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestFromAcceptLanguage(t *testing.T) {
	tests := map[string]string{
		"":                         "es",
		"es":                       "es",
		"es-EC,es;q=0.9":           "es",
		"en":                       "en",
		"en-GB,en;q=0.8":           "en",
		"fr":                       "es",
		"fr;q=1, en;q=0.3":         "en",
		"qu-EC, es;q=0.5":          "es",
		"*":                        "es",
		"en;q=0":                   "es",
		"\xff\xfe;;;":              "es",
		"zz-ZZ-x-private;q=banana": "es",
	}
	for in, want := range tests {
		if got := FromAcceptLanguage(in); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFromAcceptLanguage(f *testing.F) {
	for _, s := range []string{"", "es-EC,es;q=0.9", "en-US", "fr;q=0.1, *", "x;q=;;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if got := FromAcceptLanguage(header); !Supported(got) {
			t.Fatalf("FromAcceptLanguage(%q) = %q, not a supported language", header, got)
		}
	})
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, cookie, accept, want string
	}{
		{"default", "", "", "es"},
		{"header", "", "en", "en"},
		{"cookie wins", "es", "en", "es"},
		{"bad cookie ignored", "xx", "en", "en"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+tt.cookie)
		}
		r.Header.Set("Accept-Language", tt.accept)
		if got := Negotiate(r); got != tt.want {
			t.Errorf("%s: Negotiate = %q, want %q", tt.name, got, tt.want)
		}
		if got := Lang(r); got != tt.want {
			t.Errorf("%s: Lang without context = %q, want %q", tt.name, got, tt.want)
		}
		if got := Lang(r.WithContext(WithLang(r.Context(), "en"))); got != "en" {
			t.Errorf("%s: Lang ignores the context", tt.name)
		}
	}
}

func catalogFS(es, en string) fstest.MapFS {
	m := fstest.MapFS{}
	if es != "" {
		m["messages/es.json"] = &fstest.MapFile{Data: []byte(es)}
	}
	if en != "" {
		m["messages/en.json"] = &fstest.MapFile{Data: []byte(en)}
	}
	return m
}

func TestCatalog(t *testing.T) {
	c := NewCatalog()
	if err := c.Load("a", catalogFS(
		`{"a.hello": "Hola", "a.count": "Tienes %d notificaciones", "a.pct": "100% seguro"}`,
		`{"a.hello": "Hello", "a.count": "You have %d notifications", "a.pct": "100% safe"}`), "messages"); err != nil {
		t.Fatal(err)
	}
	got := []string{
		c.T("es", "a.hello"), c.T("en", "a.hello"), c.T("es", "a.count", 3), c.T("en", "a.pct"),
		c.T("fr", "a.hello"), c.T("es", "a.missing"),
	}
	want := []string{"Hola", "Hello", "Tienes 3 notificaciones", "100% safe", "Hola", "a.missing"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("T (-want +got):\n%s", d)
	}
	if !c.Has("a.hello") || c.Has("a.missing") {
		t.Errorf("Has is wrong")
	}
}

func TestCatalogRejects(t *testing.T) {
	tests := []struct {
		name   string
		fsys   fstest.MapFS
		before func(*Catalog) error
	}{
		{"English file missing", catalogFS(`{"a.x": "x"}`, ""), nil},
		{"key only in Spanish", catalogFS(`{"a.x": "x", "a.y": "y"}`, `{"a.x": "x"}`), nil},
		{"key only in English", catalogFS(`{"a.x": "x"}`, `{"a.x": "x", "a.y": "y"}`), nil},
		{"bad JSON", catalogFS(`{"a.x": `, `{"a.x": "x"}`), nil},
		{"key outside the area", catalogFS(`{"b.x": "x"}`, `{"b.x": "x"}`), nil},
		{"key defined by another area", catalogFS(`{"a.x": "x"}`, `{"a.x": "x"}`), func(c *Catalog) error {
			return c.Load("a", catalogFS(`{"a.x": "x"}`, `{"a.x": "x"}`), "messages")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCatalog()
			if tt.before != nil {
				if err := tt.before(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Load("a", tt.fsys, "messages"); !errors.Is(err, ErrCatalog) {
				t.Errorf("Load = %v, want ErrCatalog", err)
			}
		})
	}
}
