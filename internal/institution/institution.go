package institution

import (
	"time"

	"buzon/internal/store"
)

// State is where an institution stands. The values are stored.
type State string

// The states of an institution. There is no pending state: before MINTEL
// approves there is only the request.
const (
	// StateActive: the institution sends notifications.
	StateActive State = "activa"
	// StateSuspended: MINTEL stopped its sending; its staff still sign in
	// and what it already delivered stays in the citizens' buzones.
	StateSuspended State = "suspendida"
)

// Spanish names the state as the Spanish interface does.
func (s State) Spanish() string {
	switch s {
	case StateActive:
		return "Activa"
	case StateSuspended:
		return "Suspendida"
	}
	return string(s)
}

// English names the state in English.
func (s State) English() string {
	switch s {
	case StateActive:
		return "Active"
	case StateSuspended:
		return "Suspended"
	}
	return string(s)
}

// Modality is how an institution sends its notifications. The values are stored.
type Modality string

// The modalities of the seed.
const (
	// ModalityPlatform: notifications are written in Buzón's own screens, for
	// institutions without their own notification systems.
	ModalityPlatform Modality = "plataforma"
	// ModalityInterconnection: the institution's own systems send through the
	// API with credentials; its administrator manages keys and webhooks.
	ModalityInterconnection Modality = "interconexion"
)

// Modalities lists the modalities in the order the forms offer them.
func Modalities() []Modality { return []Modality{ModalityPlatform, ModalityInterconnection} }

// ParseModality reads a stored or submitted modality.
func ParseModality(s string) (Modality, error) {
	for _, m := range Modalities() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", ErrModalityUnknown
}

// Spanish names the modality as the seed does.
func (m Modality) Spanish() string {
	switch m {
	case ModalityPlatform:
		return "Elaboradas en la plataforma"
	case ModalityInterconnection:
		return "Interconexión con la plataforma"
	}
	return string(m)
}

// English names the modality in English.
func (m Modality) English() string {
	switch m {
	case ModalityPlatform:
		return "Written on the platform"
	case ModalityInterconnection:
		return "Interconnection with the platform"
	}
	return string(m)
}

// Sector is the part of the public sector an institution belongs to, after
// article 225 of the Constitution. The values are stored.
type Sector string

// The sectors of article 225: the five functions of the State, the
// autonomous decentralised regimes, the bodies created by the Constitution
// or the law, and the legal persons the regimes created for public services.
const (
	SectorExecutive      Sector = "ejecutiva"
	SectorLegislative    Sector = "legislativa"
	SectorJudicial       Sector = "judicial"
	SectorElectoral      Sector = "electoral"
	SectorTransparency   Sector = "transparencia"
	SectorDecentralised  Sector = "gad"
	SectorStatutory      Sector = "organismo"
	SectorPublicServices Sector = "servicio_publico"
)

// Sectors lists the sectors in the order of article 225.
func Sectors() []Sector {
	return []Sector{SectorExecutive, SectorLegislative, SectorJudicial, SectorElectoral, SectorTransparency,
		SectorDecentralised, SectorStatutory, SectorPublicServices}
}

// ParseSector reads a stored or submitted sector.
func ParseSector(s string) (Sector, error) {
	for _, x := range Sectors() {
		if string(x) == s {
			return x, nil
		}
	}
	return "", ErrSectorUnknown
}

// Spanish names the sector as article 225 does.
func (s Sector) Spanish() string {
	switch s {
	case SectorExecutive:
		return "Función Ejecutiva"
	case SectorLegislative:
		return "Función Legislativa"
	case SectorJudicial:
		return "Función Judicial"
	case SectorElectoral:
		return "Función Electoral"
	case SectorTransparency:
		return "Función de Transparencia y Control Social"
	case SectorDecentralised:
		return "Régimen autónomo descentralizado (GAD)"
	case SectorStatutory:
		return "Organismo o entidad creado por la Constitución o la ley"
	case SectorPublicServices:
		return "Persona jurídica creada por un GAD para prestar servicios públicos"
	}
	return string(s)
}

// English names the sector in English.
func (s Sector) English() string {
	switch s {
	case SectorExecutive:
		return "Executive branch"
	case SectorLegislative:
		return "Legislative branch"
	case SectorJudicial:
		return "Judicial branch"
	case SectorElectoral:
		return "Electoral branch"
	case SectorTransparency:
		return "Transparency and Social Control branch"
	case SectorDecentralised:
		return "Autonomous decentralised government (GAD)"
	case SectorStatutory:
		return "Body created by the Constitution or by law"
	case SectorPublicServices:
		return "Legal person created by a GAD to provide public services"
	}
	return string(s)
}

// Profile is what citizens see about the sender of a notification: how to
// reach the institution. The administrator keeps it up to date.
type Profile struct {
	Address     string
	Phone       string
	Email       string
	Website     string
	OfficeHours string
	// LogoSum is the SHA-256 (hex) of the logo, "" when there is none; pages
	// put it in the logo's URL so a new logo is never served from a cache.
	LogoSum string
}

// Institution is a public body active (or suspended) in Buzón: what the
// notifications feature needs to send on its behalf and to show it.
type Institution struct {
	ID      string
	Name    string
	Acronym string
	RUC     string
	// RUCKind is nui.Kind's name ("public", "company", "natural"): anything
	// but "public" was flagged for MINTEL when the institution asked.
	RUCKind     string
	Sector      Sector
	Modality    Modality
	State       State
	StateReason string
	// DailyQuota is how many notifications it may send per day (Ecuador's
	// day); the notifications feature counts them.
	DailyQuota int
	Profile    Profile
	// RequestID is the activation request MINTEL approved.
	RequestID string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Active reports whether the institution may send now.
func (i *Institution) Active() bool { return i != nil && i.State == StateActive }

// Flagged reports whether its RUC is not a public body's, which MINTEL
// reviewed when approving.
func (i *Institution) Flagged() bool { return i.RUCKind != "public" }

// LogoPath is the path its logo is served at, versioned by content, or ""
// when it has none.
func (i *Institution) LogoPath() string {
	if i.Profile.LogoSum == "" {
		return ""
	}
	return "/instituciones/logo/" + i.ID + "?v=" + i.Profile.LogoSum[:16]
}

func institutionOf(r *store.Institution, logoSum string) *Institution {
	return &Institution{
		ID: r.ID, Name: r.Name, Acronym: r.Acronym, RUC: r.RUC, RUCKind: r.RUCKind,
		Sector: Sector(r.Sector), Modality: Modality(r.Modality), State: State(r.State), StateReason: r.StateReason,
		DailyQuota: r.DailyQuota,
		Profile: Profile{Address: r.Address, Phone: r.Phone, Email: r.Email, Website: r.Website, OfficeHours: r.OfficeHours,
			LogoSum: logoSum},
		RequestID: r.RequestID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}
