package api

import (
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/nui"
)

// recipientStatus says whether a N.U.I. has an active buzón: yes or no,
// and nothing about the person.
type recipientStatus struct {
	NUI    string `json:"nui"`
	Active bool   `json:"active"`
}

// recipientGet answers whether a N.U.I. can receive notifications, so a
// system can choose another channel before sending.
func (h *API) recipientGet(w http.ResponseWriter, r *http.Request, c *call) {
	n, err := nui.Parse(r.PathValue("nui"))
	if err != nil {
		h.fail(w, r, notification.ErrRecipientInvalid)
		return
	}
	found, err := h.o.DB.Reader().ActiveRecipients(r.Context(), []string{n.String()})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, recipientStatus{NUI: n.String(), Active: len(found) > 0})
}
