package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/goregular"

	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/registry"
	"buzon/internal/server"
	"buzon/internal/store"
)

// demoPassword is every demo account's password. The demo is for a laptop
// or a training room, never for production data.
const demoPassword = "Cotopaxi-Chimborazo-2026"

// demoInstitution is one sending institution of the demo.
type demoInstitution struct {
	name, acronym, ruc, address, phone, email, web string
}

var demoInstitutions = []demoInstitution{
	{"Servicio de Rentas Internas", "SRI", "1760013210001", "Av. Amazonas y José Villalengua, Quito", "1700 774 774", "atencion@sri.example", "https://sri.example"},
	{"Agencia Nacional de Tránsito", "ANT", "1768156470001", "Av. Antonio José de Sucre y José Sánchez, Quito", "1800 268 268", "servicios@ant.example", "https://ant.example"},
	{"Instituto Ecuatoriano de Seguridad Social", "IESS", "1760004650001", "Av. 10 de Agosto y Bogotá, Quito", "140", "contacto@iess.example", "https://iess.example"},
}

// cmdDemo fills the database with a realistic demo: three institutions with
// their administrators and notifiers, MINTEL, citizens taken from the
// synthetic civil registry, and a month of notifications with attachments,
// deadlines, trámites and a rectification, some already read. It prints how
// to sign in as each role. Running it twice changes nothing.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("demo", args, stderr)
	if err != nil {
		return err
	}
	if cfg.RegistryFile == "" && cfg.RegistryURL == "" {
		cfg.Dev = true // the synthetic registry of development mode
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	db, ids, notes := srv.DB(), srv.Identity(), srv.Notifications()
	if ids == nil || notes == nil {
		return errors.New("demo: the server has no identity or notification service")
	}
	regPath := cfg.RegistryFile
	if regPath == "" {
		regPath = filepath.Join(cfg.Data, server.DemoRegistryFile)
	}
	reg, err := registry.Open(regPath)
	if err != nil {
		return fmt.Errorf("demo: civil registry: %w", err)
	}
	if _, err := db.Reader().InstitutionByRUC(ctx, demoInstitutions[0].ruc); err == nil {
		fmt.Fprintln(stdout, "The demo data is already in this database.")
		return printDemo(stdout, cfg.BaseURL, db, ctx)
	}

	var people []registry.Person
	for p := range reg.All() {
		people = append(people, p)
		if len(people) == 40 {
			break
		}
	}
	if len(people) < 40 {
		return errors.New("demo: the civil registry has fewer than 40 people")
	}
	sys := identity.System("buzon demo")
	account := func(p registry.Person, role identity.Role, inst string) (*identity.Account, error) {
		acc, link, err := ids.CreateUser(ctx, sys, identity.CreateUserRequest{NUI: p.NUI.String(),
			Email: fmt.Sprintf("%s@correo.example", p.NUI), Role: role, InstitutionID: inst})
		if err != nil {
			return nil, fmt.Errorf("demo: account %s: %w", p.NUI, err)
		}
		if link != "" {
			token := link[strings.LastIndexByte(link, '/')+1:]
			if acc, err = ids.Activate(ctx, token, demoPassword, demoPassword); err != nil {
				return nil, fmt.Errorf("demo: activate %s: %w", p.NUI, err)
			}
		}
		return acc, nil
	}

	now := time.Now()
	var insts []*store.Institution
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, d := range demoInstitutions {
			i := &store.Institution{Name: d.name, Acronym: d.acronym, RUC: d.ruc, RUCKind: "public", Sector: "ejecutivo",
				Modality: "plataforma", State: "activa", DailyQuota: 10000, Address: d.address, Phone: d.phone, Email: d.email,
				Website: d.web, OfficeHours: "Lunes a viernes, 08:00 a 17:00", RequestID: store.NewID(), CreatedAt: now}
			if err := tx.CreateInstitution(ctx, i); err != nil {
				return err
			}
			insts = append(insts, i)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: institutions: %w", err)
	}
	if _, err := account(people[0], identity.RolePlatformAdmin, ""); err != nil {
		return err
	}
	notifiers := make([]*identity.Account, len(insts))
	for i, inst := range insts {
		if _, err := account(people[1+2*i], identity.RoleInstitutionAdmin, inst.ID); err != nil {
			return err
		}
		if notifiers[i], err = account(people[2+2*i], identity.RoleNotifier, inst.ID); err != nil {
			return err
		}
	}
	var citizens []*identity.Account
	for _, p := range people[8:40] {
		acc, err := account(p, identity.RoleCitizen, "")
		if err != nil {
			return err
		}
		citizens = append(citizens, acc)
	}
	// Staff are citizens too: the first notifier has a buzón.
	if _, err := account(people[2], identity.RoleCitizen, ""); err != nil {
		return err
	}

	if err := demoNotifications(ctx, db, notes, insts, notifiers, citizens, now); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Demo data created.")
	return printDemo(stdout, cfg.BaseURL, db, ctx)
}

// demoNotifications deposits a month of notifications, as if sent on past
// days, and opens some of them a few days later.
func demoNotifications(ctx context.Context, db *store.DB, notes *notification.Service, insts []*store.Institution,
	notifiers, citizens []*identity.Account, now time.Time) error {
	type send struct {
		inst       int
		daysAgo    int
		subject    string
		body       string
		category   notification.Category
		deadline   calendar.Deadline
		expediente string
		title      string
		attach     string
		to         []int
	}
	sends := []send{
		{0, 25, "Resolución de devolución del IVA", "Estimado/a {{nombre_completo}}:\n\nSe *acepta* su solicitud de devolución del IVA del periodo de junio de 2026. El valor se acreditará en su cuenta en los próximos días.\n\nAtentamente,\nDirección Zonal 9",
			notification.CategoryResolution, calendar.Deadline{}, "SRI-DZ9-2026-0311", "Devolución del IVA", "Resolucion-DZ9-0311.pdf", []int{0, 1, 2, 3}},
		{0, 12, "Requerimiento de información", "Estimado/a {{nombres}}:\n\nPara continuar con el trámite, presente los siguientes documentos:\n\n- copia de las facturas de junio de 2026;\n- certificado bancario.\n\nPuede hacerlo en línea o en cualquier oficina.",
			notification.CategoryRequirement, calendar.BusinessDays(10), "SRI-DZ9-2026-0311", "Devolución del IVA", "Requerimiento-0311.pdf", []int{0, 1}},
		{0, 3, "Obligaciones tributarias pendientes", "Estimado/a {{nombre_completo}}:\n\nRegistramos declaraciones pendientes del impuesto a la renta. Regularice su situación dentro del plazo para evitar sanciones.",
			notification.CategoryTax, calendar.CalendarDays(30), "", "", "", []int{4, 5, 6, 7, 8, 9, 10, 11}},
		{1, 20, "Citación por infracción de tránsito", "Estimado/a {{nombres}}:\n\nSe le cita a la audiencia de juzgamiento por la infracción registrada con su vehículo. Acuda con su cédula y la matrícula.",
			notification.CategorySummons, calendar.BusinessDays(3), "ANT-2026-77812", "Contravención de tránsito", "Citacion-77812.pdf", []int{2, 12}},
		{1, 6, "Multa por exceso de velocidad", "Estimado/a {{nombre_completo}}:\n\nSe le impone una multa de 30 dólares por exceso de velocidad. Puede pagarla o impugnarla dentro del plazo.",
			notification.CategoryFine, calendar.BusinessDays(5), "ANT-2026-77812", "Contravención de tránsito", "Boleta-77812.pdf", []int{2, 12, 13, 14}},
		{2, 15, "Aprobación de jubilación", "Estimado/a {{nombre_completo}}:\n\nSu solicitud de jubilación ha sido *aprobada*. Revise el anexo con el detalle de su pensión.",
			notification.CategoryResolution, calendar.Deadline{}, "IESS-JUB-2026-5521", "Jubilación por vejez", "Resolucion-jubilacion.pdf", []int{15, 16}},
		{2, 1, "Actualización de datos de afiliación", "Estimado/a {{nombres}}:\n\nActualice sus datos de contacto en el portal del IESS.",
			notification.CategoryInformative, calendar.Deadline{}, "", "", "", []int{0, 3, 17, 18, 19, 20}},
	}
	saved := notes.Now
	defer func() { notes.Now = saved }()
	var firstIVA string
	for i, s := range sends {
		at := time.Date(now.Year(), now.Month(), now.Day(), 9+i%6, 15, 0, 0, calendar.Zone).AddDate(0, 0, -s.daysAgo)
		notes.Now = func() time.Time { return at }
		in := notification.Submission{InstitutionID: insts[s.inst].ID,
			Actor:   evidence.Actor{Kind: evidence.ActorStaff, ID: notifiers[s.inst].ID},
			Subject: s.subject, Reference: fmt.Sprintf("%s-%04d", insts[s.inst].Acronym, 100+i), Body: s.body,
			Category: s.category, Deadline: s.deadline, Expediente: s.expediente, TramiteTitle: s.title}
		for _, c := range s.to {
			in.Recipients = append(in.Recipients, citizens[c].NUI.String())
		}
		if s.attach != "" {
			pdf, err := demoPDF(s.subject)
			if err != nil {
				return err
			}
			a, err := notes.StoreAttachment(ctx, s.attach, bytes.NewReader(pdf), int64(len(pdf)))
			if err != nil {
				return fmt.Errorf("demo: attachment: %w", err)
			}
			in.Attachments = []notification.Attachment{a}
		}
		var res notification.Result
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			res, err = notes.Deposit(ctx, tx, in, at)
			return err
		})
		if err != nil {
			return fmt.Errorf("demo: deposit %q: %w", s.subject, err)
		}
		if i == 0 {
			firstIVA = res.Deposited[0].NotificationID
		}
		// Half the recipients open it, one to six days later.
		for j, d := range res.Deposited {
			if j%2 == 1 || s.daysAgo < 2 {
				continue
			}
			opened := at.Add(time.Duration(1+j%6*20) * time.Hour)
			notes.Now = func() time.Time { return opened }
			p := &identity.Principal{Account: *citizens[s.to[j]]}
			if _, err := notes.Open(ctx, p, d.NotificationID); err != nil {
				return fmt.Errorf("demo: open: %w", err)
			}
		}
	}
	// A rectification of the first resolution.
	at := now.Add(-2 * time.Hour)
	notes.Now = func() time.Time { return at }
	_, err := func() (notification.Result, error) {
		var res notification.Result
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			res, err = notes.Deposit(ctx, tx, notification.Submission{InstitutionID: insts[0].ID,
				Actor:   evidence.Actor{Kind: evidence.ActorStaff, ID: notifiers[0].ID},
				Subject: "Rectificación: resolución de devolución del IVA", Reference: "SRI-0100-R",
				Body:     "Estimado/a {{nombre_completo}}:\n\nSe rectifica el periodo indicado en la resolución anterior: corresponde a *julio* de 2026.",
				Category: notification.CategoryResolution, Expediente: "SRI-DZ9-2026-0311", TramiteTitle: "Devolución del IVA",
				Recipients: []string{citizens[0].NUI.String()}, Rectifies: firstIVA}, at)
			return err
		})
		return res, err
	}()
	if err != nil {
		return fmt.Errorf("demo: rectification: %w", err)
	}
	return nil
}

// demoPDF makes a one-page PDF standing for an institution's document.
func demoPDF(title string) ([]byte, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := gp.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, err
	}
	gp.AddPage()
	if err := gp.SetFont("regular", "", 16); err != nil {
		return nil, err
	}
	gp.SetXY(56, 72)
	if err := gp.Cell(nil, title); err != nil {
		return nil, err
	}
	if err := gp.SetFont("regular", "", 10); err != nil {
		return nil, err
	}
	gp.SetXY(56, 110)
	if err := gp.Cell(nil, "Documento de demostración generado por «buzon demo». No tiene validez legal."); err != nil {
		return nil, err
	}
	return gp.GetBytesPdfReturnErr()
}

// printDemo says how to sign in as each role.
func printDemo(w io.Writer, baseURL string, db *store.DB, ctx context.Context) error {
	fmt.Fprintf(w, "\nStart the server with `buzon serve --dev` and open %s/ingresar\n", baseURL)
	fmt.Fprintf(w, "Every demo account's password is %s\n", demoPassword)
	fmt.Fprintln(w, "Staff set up two-step verification (an authenticator app) when they first sign in.")
	fmt.Fprintln(w, "Alerts and reminders go to the development mailbox at /dev/mail.")
	fmt.Fprintln(w)
	for _, role := range []identity.Role{identity.RolePlatformAdmin, identity.RoleInstitutionAdmin, identity.RoleNotifier, identity.RoleCitizen} {
		holders, err := db.Reader().RoleHolders(ctx, string(role), "")
		if err != nil {
			return err
		}
		n := 0
		for _, h := range holders {
			id, err := db.Reader().IdentityByID(ctx, h.IdentityID)
			if err != nil {
				return err
			}
			inst := ""
			if h.InstitutionID != "" {
				if i, err := db.Reader().InstitutionByID(ctx, h.InstitutionID); err == nil {
					inst = " (" + i.Acronym + ")"
				}
			}
			fmt.Fprintf(w, "  %-40s cédula %s  %s %s%s\n", role.English()+":", id.NUI, id.GivenNames, id.Surnames, inst)
			if n++; role == identity.RoleCitizen && n == 3 {
				fmt.Fprintf(w, "  … and %d more citizens\n", len(holders)-3)
				break
			}
		}
	}
	return nil
}
