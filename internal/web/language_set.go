package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"buzon/internal/web/i18n"
)

// languageSet is the language switch: a plain link, so it works without
// JavaScript. It remembers the choice in a cookie for a year and sends the
// person back to the page they were reading.
func (h *handler) languageSet(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if !i18n.Supported(lang) {
		h.views.NotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     i18n.CookieName,
		Value:    lang,
		Path:     "/",
		MaxAge:   int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   r.TLS != nil || strings.HasPrefix(h.opts.BaseURL, "https://"),
		SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, localPath(r.URL.Query().Get("volver")), http.StatusSeeOther)
}

// localPath returns target if it is a path on this site, else "/". It
// guards the language switch against sending people to another site
// ("//evil.example", "/\evil.example", "https://…").
func localPath(target string) string {
	if target == "" || target[0] != '/' || len(target) > 2048 {
		return "/"
	}
	if len(target) > 1 && (target[1] == '/' || target[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	// Re-escaping can turn "/%2f…" into "//…", which a browser reads as
	// another host: refuse what comes out as anything but a local path.
	out := u.RequestURI()
	if strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") {
		return "/"
	}
	return out
}
