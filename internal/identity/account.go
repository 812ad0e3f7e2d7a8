package identity

import (
	"time"

	"buzon/internal/nui"
	"buzon/internal/store"
)

// State is where an account stands. The values are stored.
type State string

// The account states.
const (
	// StatePending: created (in person, by an institution, by the command
	// line), waiting for its holder to follow the activation link and set a
	// password.
	StatePending State = "pendiente"
	// StateActive: the holder can sign in.
	StateActive State = "activa"
	// StateSuspended: stopped by a DIGERCIC operator, with a reason; no
	// sign-in, sessions ended.
	StateSuspended State = "suspendida"
	// StateClosed: closed for good (e.g. the holder died); kept for the record.
	StateClosed State = "cerrada"
)

// Spanish names the state as the Spanish interface does.
func (s State) Spanish() string {
	switch s {
	case StatePending:
		return "Pendiente de activación"
	case StateActive:
		return "Activa"
	case StateSuspended:
		return "Suspendida"
	case StateClosed:
		return "Cerrada"
	}
	return string(s)
}

// English names the state in English.
func (s State) English() string {
	switch s {
	case StatePending:
		return "Pending activation"
	case StateActive:
		return "Active"
	case StateSuspended:
		return "Suspended"
	case StateClosed:
		return "Closed"
	}
	return string(s)
}

// Channel says how an identity came to exist. The values are stored.
type Channel string

// The channels.
const (
	ChannelInPerson    Channel = "presencial"  // a DIGERCIC operator at the counter
	ChannelVirtual     Channel = "virtual"     // online, with an electronic signature
	ChannelConsole     Channel = "consola"     // `buzon admin create-user`
	ChannelInstitution Channel = "institucion" // named as staff by an institution
)

// Account is an identity as the rest of Buzón sees it: who the person is,
// how to reach him and the state of his account. Credentials stay inside
// this package.
type Account struct {
	ID          string
	NUI         nui.NUI
	GivenNames  string
	Surnames    string
	Email       string
	State       State
	StateReason string
	Channel     Channel
	CreatedAt   time.Time
	ActivatedAt time.Time
	// TOTPEnabled reports whether two-step verification with an
	// authenticator app is on.
	TOTPEnabled bool
	// HasPassword is false until the account is activated.
	HasPassword       bool
	PasswordChangedAt time.Time
}

// FullName returns the names in reading order.
func (a *Account) FullName() string {
	if a.GivenNames == "" {
		return a.Surnames
	}
	if a.Surnames == "" {
		return a.GivenNames
	}
	return a.GivenNames + " " + a.Surnames
}

func accountOf(id *store.Identity) *Account {
	return &Account{
		ID:                id.ID,
		NUI:               nui.NUI(id.NUI),
		GivenNames:        id.GivenNames,
		Surnames:          id.Surnames,
		Email:             id.Email,
		State:             State(id.State),
		StateReason:       id.StateReason,
		Channel:           Channel(id.Channel),
		CreatedAt:         id.CreatedAt,
		ActivatedAt:       id.ActivatedAt,
		TOTPEnabled:       len(id.TOTPSecret) > 0,
		HasPassword:       id.PasswordHash != "",
		PasswordChangedAt: id.PasswordChangedAt,
	}
}
