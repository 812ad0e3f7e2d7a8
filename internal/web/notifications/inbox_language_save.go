package notifications

import (
	"errors"
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// inboxLanguageSave stores the language of the citizen's alerts and
// reminders.
func (h *handler) inboxLanguageSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.views.NotFound(w, r)
		return
	}
	p := session.Principal(r)
	lang := r.PostForm.Get("idioma")
	err := h.sm.Identity().SetEmailLanguage(r.Context(), p, lang)
	switch {
	case errors.Is(err, identity.ErrLanguageUnknown):
		days, derr := h.svc.ReminderDays(r.Context(), p)
		if derr != nil {
			h.views.ServerError(w, r, derr)
			return
		}
		msg, _ := problems(r, err)
		h.renderPreferencesPage(w, r, preferencesPage{LanguageError: msg[""]}, days)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/buzon/preferencias?guardado=idioma", http.StatusSeeOther)
}
