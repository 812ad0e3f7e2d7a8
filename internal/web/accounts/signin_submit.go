package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// signinSubmit checks the N.U.I. and password: with two-step verification
// on, the person goes on to the code; otherwise he is signed in.
func (h *handler) signinSubmit(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "nui")
	step, err := h.ids.CheckPassword(r.Context(), f.Values["nui"], r.PostFormValue("password"), session.Client(r))
	if err != nil {
		h.fail(w, r, "signin", signinPage{base: h.base(r), Form: f}, f, err, "nui", "password")
		return
	}
	if step.SecondFactor {
		if err := h.sess.AwaitSecondFactor(r, step.Account.ID); err != nil {
			h.views.ServerError(w, r, err)
			return
		}
		redirect(w, r, "/ingresar/codigo")
		return
	}
	h.finishSignIn(w, r, step.Account.ID, identity.MethodPassword)
}

// finishSignIn opens the session and sends the person where he was going,
// or to his landing page.
func (h *handler) finishSignIn(w http.ResponseWriter, r *http.Request, accountID, method string) {
	to, err := h.openSession(r, accountID, method)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	redirect(w, r, to)
}

func (h *handler) openSession(r *http.Request, accountID, method string) (string, error) {
	p, err := h.sess.SignIn(r, accountID, method)
	if err != nil {
		return "", err
	}
	if to := h.sess.PopReturn(r.Context()); to != "" && !p.NeedsTOTPSetup() {
		return to, nil
	}
	return session.Landing(p), nil
}
