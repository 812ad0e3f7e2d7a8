package notifications

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// composeSend deposits a previewed draft for every recipient with an
// active buzón and shows the send in the tracking list. A second post of
// the same draft sends nothing.
func (h *handler) composeSend(w http.ResponseWriter, r *http.Request) {
	inst, id := r.PathValue("inst"), r.PathValue("draft")
	p := session.Principal(r)
	// A large recipients file is deposited by a job: confirm it and follow it.
	if u, err := h.svc.Upload(r.Context(), p, inst, id); err == nil {
		err := h.svc.ConfirmUpload(r.Context(), p, inst, id)
		switch {
		case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden):
			h.views.NotFound(w, r)
		case err != nil:
			if probs, ok := problems(r, err); ok {
				h.renderCompose(w, r, http.StatusUnprocessableEntity, composeValues{}, map[string]string{"": probs[firstKey(probs)]})
				return
			}
			h.views.ServerError(w, r, err)
		default:
			http.Redirect(w, r, "/institucion/"+inst+"/cargas/"+u.ID, http.StatusSeeOther)
		}
		return
	}
	res, err := h.svc.SendDraft(r.Context(), p, inst, id)
	switch {
	case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden):
		h.views.NotFound(w, r)
		return
	case err != nil:
		if probs, ok := problems(r, err); ok {
			h.renderCompose(w, r, http.StatusUnprocessableEntity, composeValues{}, map[string]string{"": probs[firstKey(probs)]})
			return
		}
		h.views.ServerError(w, r, err)
		return
	}
	q := url.Values{"envio": {res.BatchID}, "enviadas": {strconv.Itoa(len(res.Deposited))}, "rechazadas": {strconv.Itoa(len(res.Refused))}}
	http.Redirect(w, r, "/institucion/"+inst+"/notificaciones?"+q.Encode(), http.StatusSeeOther)
}
