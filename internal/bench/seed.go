package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop the bench's schema

	"buzon/internal/apikey"
	"buzon/internal/calendar"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// Password is every seeded citizen's password.
const Password = "Cotopaxi-Chimborazo-2026"

// institution is a seeded sending institution with its live API key.
type institution struct {
	ID, Name, Key string
	BatchID       string // the batch its seeded notifications belong to
}

// citizen is a seeded citizen.
type citizen struct {
	ID, NUI string
}

// env is one bench run's database, data directory and seeded world.
type env struct {
	cfg     Config
	dir     string // the run's directory: data, registry file
	dataDir string
	url     string // the database, as every process opens it
	cleanup []func() error
	db      *store.DB
	keys    *seal.Keyring

	insts    []institution
	citizens []citizen // every seeded citizen; the first len(heavy) are the heavy ones
	heavy    []citizen // citizens with a full inbox page: the inbox scenario signs them in
	seeded   int       // notifications seeded so far
	regPath  string
}

// newEnv creates the run's directory and a fresh database: an SQLite file
// in the directory, or a new schema in the PostgreSQL database of
// cfg.DatabaseURL (dropped at the end unless cfg.Keep).
func newEnv(ctx context.Context, cfg Config) (*env, error) {
	e := &env{cfg: cfg, dir: cfg.Dir}
	if e.dir == "" {
		d, err := os.MkdirTemp("", "buzon-bench-")
		if err != nil {
			return nil, err
		}
		e.dir = d
		if !cfg.Keep {
			e.cleanup = append(e.cleanup, func() error { return os.RemoveAll(d) })
		}
	}
	e.dataDir = filepath.Join(e.dir, "data")
	if err := os.MkdirAll(e.dataDir, 0o750); err != nil {
		return nil, err
	}
	key, _, err := seal.LoadOrCreateKeyFile(filepath.Join(e.dataDir, "master.key"))
	if err != nil {
		return nil, err
	}
	if e.keys, err = seal.NewKeyring(key); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL == "" {
		e.url = filepath.Join(e.dataDir, "buzon.db")
	} else {
		schema := "bench_" + randomHex(6)
		admin, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			return nil, fmt.Errorf("create schema %s: %w", schema, err)
		}
		if !cfg.Keep {
			e.cleanup = append(e.cleanup, func() error {
				admin, err := sql.Open("pgx", cfg.DatabaseURL)
				if err != nil {
					return err
				}
				defer admin.Close()
				_, err = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				return err
			})
		}
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("database URL: %w", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		e.url = u.String()
	}
	e.db, err = store.Open(ctx, e.url, store.Options{MaxConns: 16})
	if err != nil {
		return nil, err
	}
	if _, err := e.db.Migrate(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *env) close() error {
	var errs []error
	if e.db != nil {
		errs = append(errs, e.db.Close())
	}
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		errs = append(errs, e.cleanup[i]())
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// seedInstitutions creates n active institutions in the interconnection
// modality, each with a live API key and a batch for seeded notifications.
func (e *env) seedInstitutions(ctx context.Context, n int) error {
	now := time.Now().UTC()
	return e.db.Write(ctx, func(tx *store.Tx) error {
		for i := range n {
			inst := &store.Institution{Name: fmt.Sprintf("Institución de prueba %03d", i+1), Acronym: fmt.Sprintf("IP%03d", i+1),
				RUC: fmt.Sprintf("176%07d001", i+1), RUCKind: "public", Sector: "ejecutivo", Modality: "interconexion",
				State: "activa", DailyQuota: 100_000_000, Address: "Quito", RequestID: store.NewID(), CreatedAt: now}
			if err := tx.CreateInstitution(ctx, inst); err != nil {
				return err
			}
			key, prefix, hash := apikey.Generate(apikey.Live)
			if err := tx.InsertAPIKey(ctx, &store.APIKey{InstitutionID: inst.ID, Name: "bench", Mode: string(apikey.Live),
				Prefix: prefix, Hash: hash, CreatedAt: now}); err != nil {
				return err
			}
			b := &store.NotificationBatch{InstitutionID: inst.ID, ActorKind: "api", ActorID: "bench-seed", CreatedAt: now}
			if err := tx.InsertNotificationBatch(ctx, b); err != nil {
				return err
			}
			e.insts = append(e.insts, institution{ID: inst.ID, Name: inst.Name, Key: key, BatchID: b.ID})
		}
		return nil
	})
}

// seedCitizens adds n citizens, taken from a synthetic civil registry
// (registry.Generate), with active accounts and the bench's password. The
// first heavy of them get full inboxes.
func (e *env) seedCitizens(ctx context.Context, n, heavy int) error {
	if e.regPath == "" {
		// Enough people for the growth run too; about 85% are eligible.
		total := (e.cfg.Citizens + e.cfg.growthCitizens()) * 12 / 10
		e.regPath = filepath.Join(e.dir, "registry.csv")
		f, err := os.Create(e.regPath)
		if err != nil {
			return err
		}
		err = registry.Generate(f, min(total+1000, registry.MaxGenerate), 2026, registry.FormatCSV)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	reg, err := registry.Open(e.regPath)
	if err != nil {
		return err
	}
	hash, err := argon2id.CreateHash(Password, &identity.DefaultPasswordParams)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	skip := len(e.citizens)
	var chunk []store.Identity
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := e.db.SeedCitizens(ctx, chunk); err != nil {
			return err
		}
		for _, id := range chunk {
			e.citizens = append(e.citizens, citizen{ID: id.ID, NUI: id.NUI})
		}
		chunk = chunk[:0]
		return nil
	}
	added := 0
	for p := range reg.All() {
		if p.Status != registry.StatusValid {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		handle := make([]byte, 16)
		rand.Read(handle)
		chunk = append(chunk, store.Identity{ID: store.NewID(), NUI: p.NUI.String(), GivenNames: p.GivenNames, Surnames: p.Surnames,
			Email: p.NUI.String() + "@correo.example", PasswordHash: hash, PasskeyHandle: handle, CreatedAt: now})
		if added++; added == n {
			break
		}
		if len(chunk) == 10_000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if added < n {
		return fmt.Errorf("the synthetic registry has only %d eligible people, %d wanted", added, n)
	}
	if e.heavy == nil {
		e.heavy = e.citizens[:min(heavy, len(e.citizens))]
	}
	return nil
}

// perHeavy is how many notifications each heavy citizen has: more than a
// page (20), so that every inbox page shown is full.
const perHeavy = 100

// seedNotifications adds n deposited notifications: the first seeding
// gives each heavy citizen perHeavy of them, the rest go round the other
// citizens, from the recipient after first on (so a growth seeding can aim
// at the citizens it added). Bodies are sealed like real ones.
func (e *env) seedNotifications(ctx context.Context, n, first int, progress func(done int)) error {
	chunkSize := 5_000
	if e.db.Engine() == store.Postgres {
		chunkSize = 20_000
	}
	body := strings.Repeat("Estimado/a contribuyente: se le notifica la resolución adjunta. ", 16)[:1000]
	sum := sha256.Sum256([]byte(body))
	bodySum := hex.EncodeToString(sum[:])
	none := calendar.Deadline{}
	start := time.Now().UTC().Add(-365 * 24 * time.Hour)
	step := 365 * 24 * time.Hour / time.Duration(max(n, 1))
	heavyQuota := 0
	if e.seeded == 0 {
		heavyQuota = len(e.heavy) * perHeavy
	}
	if first < len(e.heavy) {
		first = len(e.heavy)
	}
	regular := e.citizens[first:]
	if len(regular) == 0 {
		return fmt.Errorf("no citizens to seed notifications for")
	}

	chunks := make(chan []store.Notification, 2)
	errc := make(chan error, 1)
	go func() {
		defer close(chunks)
		buf := make([]store.Notification, 0, chunkSize)
		for j := range n {
			var c citizen
			if j < heavyQuota {
				c = e.heavy[j%len(e.heavy)]
			} else {
				c = regular[(j-heavyQuota)%len(regular)]
			}
			inst := e.insts[j%len(e.insts)]
			id := store.NewID()
			sealed, err := e.keys.Seal([]byte(body), []byte(id))
			if err != nil {
				errc <- err
				return
			}
			at := start.Add(time.Duration(j) * step)
			subject := fmt.Sprintf("Notificación %d de %s", e.seeded+j+1, inst.Name)
			buf = append(buf, store.Notification{ID: id, BatchID: inst.BatchID, InstitutionID: inst.ID, InstitutionName: inst.Name,
				RecipientID: c.ID, RecipientNUI: c.NUI, Subject: subject, Reference: fmt.Sprintf("REF-%d", e.seeded+j+1),
				Category: string(notification.CategoryInformative), BodySealed: sealed, BodySHA256: bodySum,
				SearchText: strings.ToLower(subject), DeadlineKind: none.Kind.String(), DeadlineDate: none.Date.String(),
				VerificationCode: notification.NewVerificationCode(), ActorKind: "api", ActorID: "bench-seed",
				DepositedAt: at, DepositDay: calendar.DateOf(at).String()})
			if len(buf) == chunkSize || j == n-1 {
				select {
				case chunks <- buf:
				case <-ctx.Done():
					return
				}
				buf = make([]store.Notification, 0, chunkSize)
			}
		}
	}()
	done := 0
	for c := range chunks {
		if err := e.db.SeedNotifications(ctx, c); err != nil {
			return err
		}
		done += len(c)
		if progress != nil {
			progress(done)
		}
	}
	select {
	case err := <-errc:
		return err
	default:
	}
	e.seeded += done
	return e.db.BenchAnalyze(ctx)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
