package institutions

import "net/http"

// mintelHome sends MINTEL to its queue, the console's first page.
func (h *handler) mintelHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/mintel/solicitudes", http.StatusSeeOther)
}
