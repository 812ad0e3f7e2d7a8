package institutions

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/i18n"
)

// activityRow is one line of an institution's activity, its action named
// in the page's language.
type activityRow struct {
	institution.ActivityEntry
	What string
	Role string
}

// actionKeys names the actions an institution's activity shows.
var actionKeys = map[string]string{
	institution.ActionApprove:          "institutions.action.approve",
	institution.ActionReject:           "institutions.action.reject",
	institution.ActionViewRequest:      "institutions.action.view_request",
	institution.ActionViewDocument:     "institutions.action.view_document",
	institution.ActionSuspend:          "institutions.action.suspend",
	institution.ActionReactivate:       "institutions.action.reactivate",
	institution.ActionSetModality:      "institutions.action.modality",
	institution.ActionSetQuota:         "institutions.action.quota",
	institution.ActionUpdateProfile:    "institutions.action.profile",
	institution.ActionSetLogo:          "institutions.action.logo",
	institution.ActionRemoveLogo:       "institutions.action.logo_removed",
	institution.ActionInviteNotifier:   "institutions.action.invite",
	institution.ActionEndNotifier:      "institutions.action.deactivate",
	institution.ActionChangeAdmin:      "institutions.action.change_admin",
	institution.ActionResendInvitation: "institutions.action.resend",
	identity.ActionGrantRole:           "institutions.action.grant_role",
	identity.ActionRevokeRole:          "institutions.action.revoke_role",
	identity.ActionCreateIdentity:      "institutions.action.create_identity",
}

func (h *handler) activityRows(r *http.Request, entries []institution.ActivityEntry) []activityRow {
	out := make([]activityRow, len(entries))
	for i, e := range entries {
		what := e.Action
		if key, ok := actionKeys[e.Action]; ok {
			what = h.views.T(r, key)
		}
		role := e.ActorRole
		if rl, err := identity.ParseRole(e.ActorRole); err == nil {
			role = label(i18n.Lang(r), rl)
		}
		out[i] = activityRow{ActivityEntry: e, What: what, Role: role}
	}
	return out
}
