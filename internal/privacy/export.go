package privacy

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"buzon/internal/blob"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// ErrNoAccount refuses an export to a request without a signed-in person.
var ErrNoAccount = errors.New("privacy: no signed-in person")

// Exporter writes everything the platform holds about a person as one ZIP
// archive (LOPDP: access and portability): profile and roles, sign-in
// history, and every notification received with its body, attachments and
// evidence events. Reading for the export is not opening a notification:
// it records no access and changes nothing.
type Exporter struct {
	DB    *store.DB
	Keys  *seal.Keyring
	Blobs *blob.Sealed
	// Evidence, if set, adds each notification's constancia de notificación
	// as its signed JSON twin, verifiable offline with `buzon verify`.
	Evidence *evidence.Log
	Now      func() time.Time
}

// FileName is the archive's name for a download.
func (x *Exporter) FileName(p *identity.Principal) string {
	return "mis-datos-buzon-" + x.now().In(ecuador).Format("2006-01-02") + ".zip"
}

var ecuador = time.FixedZone("ECT", -5*3600)

func (x *Exporter) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

type profileJSON struct {
	NUI         string    `json:"nui"`
	GivenNames  string    `json:"nombres"`
	Surnames    string    `json:"apellidos"`
	Email       string    `json:"correo"`
	State       string    `json:"estado"`
	Channel     string    `json:"canal_de_registro"`
	Roles       []string  `json:"roles"`
	TOTP        bool      `json:"verificacion_en_dos_pasos"`
	CreatedAt   time.Time `json:"creada"`
	ActivatedAt time.Time `json:"activada,omitzero"`
	ExportedAt  time.Time `json:"exportado"`
}

type signInJSON struct {
	At        time.Time `json:"fecha"`
	Method    string    `json:"metodo"`
	Outcome   string    `json:"resultado"`
	Address   string    `json:"direccion_ip"`
	UserAgent string    `json:"navegador"`
}

type notificationJSON struct {
	ID               string       `json:"id"`
	Institution      string       `json:"institucion"`
	Subject          string       `json:"asunto"`
	Reference        string       `json:"referencia,omitempty"`
	Category         string       `json:"categoria,omitempty"`
	DepositedAt      time.Time    `json:"depositada"`
	DueDate          string       `json:"vence,omitempty"`
	VerificationCode string       `json:"codigo_de_verificacion"`
	BodySHA256       string       `json:"sha256_del_cuerpo"`
	Read             bool         `json:"leida"`
	FirstOpenedAt    time.Time    `json:"primera_apertura,omitzero"`
	Attachments      []attachJSON `json:"anexos"`
	Evidence         []eventJSON  `json:"evidencia"`
}

type attachJSON struct {
	File   string `json:"archivo"`
	Size   int64  `json:"tamano"`
	SHA256 string `json:"sha256"`
}

type eventJSON struct {
	ID         string          `json:"id"`
	Type       string          `json:"tipo"`
	OccurredAt time.Time       `json:"fecha"`
	LeafIndex  int64           `json:"indice_en_el_registro"`
	Record     json.RawMessage `json:"registro"`
}

const readme = `Sus datos en Buzón / Your data in Buzón

perfil.json           sus datos de cuenta y roles / your account and roles
ingresos.json         su historial de ingresos / your sign-in history
notificaciones/…/     cada notificación recibida: notificacion.json (datos,
                      anexos con su SHA-256, eventos de evidencia), cuerpo.html
                      y los anexos / every notification received: its data,
                      attachments with their SHA-256, evidence events, body
                      and attachments

constancia.json es la constancia de notificación firmada (su gemelo JSON), que
se verifica sin conexión con "buzon verify"; el PDF firmado se descarga desde
la página de cada notificación. / constancia.json is the signed constancia de
notificación (its JSON twin), verifiable offline with "buzon verify"; the
signed PDF is downloaded from each notification's page.

Derechos (LOPDP): acceso, rectificación, eliminación, portabilidad y oposición,
atendidos en 15 días. Vea /privacidad. / Rights: see /privacidad.
`

// Write streams the archive of p's data to w.
func (x *Exporter) Write(ctx context.Context, p *identity.Principal, w io.Writer) error {
	if p == nil || p.Account.ID == "" {
		return ErrNoAccount
	}
	id := p.Account.ID
	z := zip.NewWriter(w)
	now := x.now().UTC()
	put := func(name string, v any) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if s, ok := v.(string); ok {
			_, err = io.WriteString(f, s)
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	r := x.DB.Reader()
	acc, err := r.IdentityByID(ctx, id)
	if err != nil {
		return fmt.Errorf("export %s: %w", id, err)
	}
	roles, err := r.RolesOf(ctx, id)
	if err != nil {
		return fmt.Errorf("export %s: %w", id, err)
	}
	prof := profileJSON{NUI: acc.NUI, GivenNames: acc.GivenNames, Surnames: acc.Surnames, Email: acc.Email, State: acc.State,
		Channel: acc.Channel, TOTP: len(acc.TOTPSecret) > 0, CreatedAt: acc.CreatedAt.UTC(), ActivatedAt: acc.ActivatedAt.UTC(), ExportedAt: now}
	for _, ro := range roles {
		name := ro.Role
		if ro.InstitutionID != "" {
			name += " (" + ro.InstitutionID + ")"
		}
		prof.Roles = append(prof.Roles, name)
	}
	if err := put("LEAME.txt", readme); err != nil {
		return err
	}
	if err := put("perfil.json", prof); err != nil {
		return err
	}
	ins, err := r.SignInsOf(ctx, id, 100000)
	if err != nil {
		return fmt.Errorf("export %s: %w", id, err)
	}
	list := make([]signInJSON, 0, len(ins))
	for _, s := range ins {
		list = append(list, signInJSON{At: s.At.UTC(), Method: s.Method, Outcome: s.Outcome, Address: s.Address, UserAgent: s.UserAgent})
	}
	if err := put("ingresos.json", list); err != nil {
		return err
	}

	after := ""
	for {
		ids, err := r.NotificationIDsOfRecipient(ctx, id, after, 200)
		if err != nil {
			return fmt.Errorf("export %s: %w", id, err)
		}
		if len(ids) == 0 {
			break
		}
		for _, nid := range ids {
			if err := x.notification(ctx, z, nid, acc, now); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
	return z.Close()
}

func (x *Exporter) notification(ctx context.Context, z *zip.Writer, id string, who *store.Identity, now time.Time) error {
	r := x.DB.Reader()
	n, err := r.Notification(ctx, id)
	if err != nil {
		return fmt.Errorf("export notification %s: %w", id, err)
	}
	dir := "notificaciones/" + n.DepositedAt.In(ecuador).Format("2006-01-02") + "-" + safeName(n.VerificationCode) + "-" + id[len(id)-6:] + "/"
	out := notificationJSON{ID: n.ID, Institution: n.InstitutionName, Subject: n.Subject, Reference: n.Reference, Category: n.Category,
		DepositedAt: n.DepositedAt.UTC(), DueDate: n.DueDate, VerificationCode: n.VerificationCode, BodySHA256: n.BodySHA256,
		Read: !n.Unread, FirstOpenedAt: n.FirstOpenedAt.UTC()}
	body, err := x.Keys.Open(n.BodySealed, []byte(n.ID))
	if err != nil {
		return fmt.Errorf("export notification %s: body: %w", id, err)
	}
	f, err := z.CreateHeader(&zip.FileHeader{Name: dir + "cuerpo.html", Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		return err
	}
	atts, err := r.AttachmentsOfBatch(ctx, n.BatchID)
	if err != nil {
		return fmt.Errorf("export notification %s: %w", id, err)
	}
	for i, a := range atts {
		name := fmt.Sprintf("anexos/%02d-%s", i+1, safeName(a.Filename))
		out.Attachments = append(out.Attachments, attachJSON{File: name, Size: a.Size, SHA256: a.SHA256})
		rc, err := x.Blobs.Get(ctx, a.BlobKey)
		if err != nil {
			return fmt.Errorf("export notification %s: attachment %s: %w", id, a.ID, err)
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: dir + name, Method: zip.Store, Modified: now})
		if err == nil {
			_, err = io.Copy(f, rc)
		}
		rc.Close()
		if err != nil {
			return fmt.Errorf("export notification %s: attachment %s: %w", id, a.ID, err)
		}
	}
	events, err := r.EvidenceEventsOfNotification(ctx, id)
	if err != nil {
		return fmt.Errorf("export notification %s: %w", id, err)
	}
	for _, e := range events {
		rec := json.RawMessage(e.Record)
		if !json.Valid(rec) {
			b, _ := json.Marshal(string(e.Record))
			rec = b
		}
		out.Evidence = append(out.Evidence, eventJSON{ID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt.UTC(), LeafIndex: e.LeafIndex, Record: rec})
	}
	if x.Evidence != nil && len(events) > 0 {
		c := evidence.Constancia{NotificationID: n.ID, InstitutionID: n.InstitutionID, InstitutionName: n.InstitutionName,
			RecipientNUI: nui.NUI(n.RecipientNUI), RecipientName: strings.TrimSpace(who.GivenNames + " " + who.Surnames),
			Subject: n.Subject, Reference: n.Reference, ContentSHA256: n.BodySHA256}
		if inst, err := r.InstitutionByID(ctx, n.InstitutionID); err == nil {
			c.InstitutionName, c.InstitutionRUC = inst.Name, inst.RUC
		}
		for _, a := range atts {
			c.Attachments = append(c.Attachments, evidence.Attachment{Name: a.Filename, Size: a.Size, SHA256: a.SHA256})
		}
		doc, err := x.Evidence.Document(ctx, c)
		if err != nil {
			return fmt.Errorf("export notification %s: constancia: %w", id, err)
		}
		js, err := evidence.MarshalDocument(doc, x.Evidence.Keys.Note)
		if err != nil {
			return fmt.Errorf("export notification %s: constancia: %w", id, err)
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: dir + "constancia.json", Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if _, err := f.Write(js); err != nil {
			return err
		}
	}
	g, err := z.CreateHeader(&zip.FileHeader{Name: dir + "notificacion.json", Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(g)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// safeName keeps a file name inside its folder of the archive.
func safeName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	if s == "." || s == "/" || s == ".." || s == "" {
		return "archivo"
	}
	return s
}
