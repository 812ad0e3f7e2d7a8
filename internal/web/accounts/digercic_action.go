package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// digercicAction runs one console action on an account: suspender,
// reactivar, correo, reenviar or desbloquear. A refusal shows the account
// again with the error next to the action's field; success shows it with a
// confirmation.
func (h *handler) digercicAction(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	id, action := r.PathValue("id"), r.PathValue("action")
	f := newForm(r, "reason", "email")
	ctx := r.Context()
	var err error
	switch action {
	case "suspender":
		err = h.ids.Suspend(ctx, p, id, f.Values["reason"])
	case "reactivar":
		err = h.ids.Reactivate(ctx, p, id, f.Values["reason"])
	case "correo":
		err = h.ids.ChangeEmail(ctx, p, id, f.Values["email"], f.Values["reason"])
	case "reenviar":
		err = h.ids.ResendActivation(ctx, p, id)
	case "desbloquear":
		err = h.ids.Unlock(ctx, p, id, f.Values["reason"])
	default:
		h.views.NotFound(w, r)
		return
	}
	if err != nil {
		rec, rerr := h.ids.AccountRecord(ctx, p, id)
		if rerr != nil {
			h.notFoundOr(w, r, rerr)
			return
		}
		// Field ids are prefixed by the action, since the page has several forms.
		if !h.refuse(r, f, err, "reason", "email") {
			h.views.ServerError(w, r, err)
			return
		}
		prefixFields(f, action)
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "digercic_account",
			accountRecordPage{base: h.base(r), Record: rec, Form: f, Action: action})
		return
	}
	h.sess.Flash(ctx, "accounts.digercic.done."+action)
	redirect(w, r, "/digercic/cuentas/"+id)
}

// prefixFields renames a form's fields "reason" to "<action>-reason", the
// ids of the inputs on a page with one form per action.
func prefixFields(f *form, action string) {
	errs := map[string]string{}
	for k, v := range f.Errors {
		errs[action+"-"+k] = v
	}
	f.Errors = errs
	for i := range f.Summary {
		if f.Summary[i].Field != "" {
			f.Summary[i].Field = action + "-" + f.Summary[i].Field
		}
	}
	vals := map[string]string{}
	for k, v := range f.Values {
		vals[action+"-"+k] = v
	}
	f.Values = vals
}
