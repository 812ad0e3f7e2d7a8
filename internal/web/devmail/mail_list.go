package devmail

import "net/http"

// list shows the newest messages of the development mailbox.
func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	mails, err := h.mailbox.DevMails(r.Context(), listLimit)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "list", mails)
}
