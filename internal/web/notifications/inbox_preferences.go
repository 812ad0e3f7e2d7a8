package notifications

import (
	"net/http"
	"strconv"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

type preferencesPage struct {
	chrome
	Days   []int
	Chosen map[int]bool
	Error  string
	Saved  bool
	// EmailLanguage is the language of the citizen's alerts and reminders;
	// LanguageSaved confirms a change, LanguageError refuses one.
	EmailLanguage string
	LanguageSaved bool
	LanguageError string
}

// inboxPreferences shows the citizen's reminder days.
func (h *handler) inboxPreferences(w http.ResponseWriter, r *http.Request) {
	days, err := h.svc.ReminderDays(r.Context(), session.Principal(r))
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.renderPreferences(w, r, days, "", r.URL.Query().Get("guardado") == "1")
}

func (h *handler) renderPreferences(w http.ResponseWriter, r *http.Request, days []int, msg string, saved bool) {
	h.renderPreferencesPage(w, r, preferencesPage{Error: msg, Saved: saved, LanguageSaved: r.URL.Query().Get("guardado") == "idioma"}, days)
}

func (h *handler) renderPreferencesPage(w http.ResponseWriter, r *http.Request, data preferencesPage, days []int) {
	data.chrome, data.Chosen = h.chrome(r), map[int]bool{}
	if data.EmailLanguage == "" {
		lang, err := h.sm.Identity().EmailLanguage(r.Context(), session.Principal(r))
		if err != nil {
			h.views.ServerError(w, r, err)
			return
		}
		data.EmailLanguage = lang
	}
	for d := 1; d <= notification.MaxReminderDaysBack; d++ {
		data.Days = append(data.Days, d)
	}
	for _, d := range days {
		data.Chosen[d] = true
	}
	status := http.StatusOK
	if data.Error != "" || data.LanguageError != "" {
		status = http.StatusUnprocessableEntity
	}
	h.views.RenderStatus(w, r, status, "inbox_preferences", data)
}

// inboxPreferencesSave stores the reminder days the citizen ticked.
func (h *handler) inboxPreferencesSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.views.NotFound(w, r)
		return
	}
	var days []int
	for _, v := range r.PostForm["dias"] {
		if n, err := strconv.Atoi(v); err == nil {
			days = append(days, n)
		}
	}
	if r.PostForm.Get("restablecer") != "" {
		days = nil
	} else if len(days) == 0 {
		h.renderPreferences(w, r, nil, message(r, notification.ErrReminderDays), false)
		return
	}
	err := h.svc.SetReminderDays(r.Context(), session.Principal(r), days)
	if probs, ok := problems(r, err); err != nil && ok {
		h.renderPreferences(w, r, days, probs["days"]+probs[""], false)
		return
	} else if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/buzon/preferencias?guardado=1", http.StatusSeeOther)
}
