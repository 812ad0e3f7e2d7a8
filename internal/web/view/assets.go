package view

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// asset is one static file, known by its plain name and by a name that
// carries a hash of its content: a changed file gets a new URL, so browsers
// may cache every URL for a year.
type asset struct {
	name, hashed, ctype, etag string
	data                      []byte
}

type assets struct {
	byName, byHashed map[string]*asset
}

func newAssets(fsys fs.FS) (*assets, error) {
	as := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a := &asset{name: p, hashed: strings.TrimSuffix(p, ext) + "." + h + ext, ctype: ctype, etag: `"` + h + `"`, data: b}
		as.byName[a.name] = a
		as.byHashed[a.hashed] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("view: static files: %w", err)
	}
	return as, nil
}

// ServeStatic answers GET /static/{file} for hashed names; any other name,
// including an old hash, gets the 404 page.
func (e *Engine) ServeStatic(w http.ResponseWriter, r *http.Request) {
	a := e.assets.byHashed[r.PathValue("file")]
	if a == nil {
		e.NotFound(w, r)
		return
	}
	e.serveAsset(w, r, a, "public, max-age=31536000, immutable")
}

// ServeFavicon answers GET /favicon.ico, which browsers ask for whatever the
// page says, with the SVG icon.
func (e *Engine) ServeFavicon(w http.ResponseWriter, r *http.Request) {
	e.serveAsset(w, r, e.assets.byName["favicon.svg"], "public, max-age=86400")
}

func (e *Engine) serveAsset(w http.ResponseWriter, r *http.Request, a *asset, cache string) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cache)
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}
