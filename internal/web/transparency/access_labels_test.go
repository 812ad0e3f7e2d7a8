package transparency_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/registration"
	"buzon/internal/web/notifications"
	"buzon/internal/web/transparency"
)

// TestActionsAboutACitizenHaveWords: every audit action that can name a
// citizen as its subject is said in words in both languages, so the
// citizen's access list never shows a bare code.
func TestActionsAboutACitizenHaveWords(t *testing.T) {
	actions := []string{
		identity.ActionRegistryLookup, identity.ActionRegister, identity.ActionRegisterVirtual, identity.ActionCreateIdentity,
		identity.ActionAccountView, identity.ActionSuspend, identity.ActionReactivate, identity.ActionChangeEmail,
		identity.ActionResendActivation, identity.ActionUnlock, identity.ActionEndSessions, identity.ActionGrantRole,
		identity.ActionRevokeRole, registration.ActionEvidenceView, registration.ActionApplicationsView,
		notification.ActionTrackingView, notification.ActionStaffDownload, notifications.ActionConstanciaDownload,
		transparency.ActionEvidenceView,
	}
	for _, lang := range []string{"es", "en"} {
		raw, err := os.ReadFile("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, a := range actions {
			if m["transparency.action."+a] == "" {
				missing = append(missing, a)
			}
		}
		if d := cmp.Diff([]string(nil), missing); d != "" {
			t.Errorf("%s.json lacks words for actions (-want +got):\n%s", lang, d)
		}
	}
}
