package web

import "net/http"

// healthz says the process is alive and answering; it checks nothing else,
// so a slow database never gets a healthy process restarted.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}
