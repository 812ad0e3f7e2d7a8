package security_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// sqlPayloads are classic injections: tautologies, stacked statements,
// UNION reads, comment and quote tricks, and bytes drivers dislike.
var sqlPayloads = []string{
	`' OR '1'='1`,
	`' OR 1=1 --`,
	`'; DROP TABLE notifications; --`,
	`%' UNION SELECT password_hash, NULL FROM identities --`,
	`1) OR (1=1`,
	`" OR ""="`,
	`\'; SELECT pg_sleep(5); --`,
	"0x27\x00",
	`%`,
	`_`,
}

// sqlErrorWords would betray an SQL error reaching a page or a problem.
var sqlErrorWords = []string{"syntax error", "SQLSTATE", "sqlite", "pq:", "pgx", "unrecognized token", "near \""}

// state is what an injection could change or leak: each citizen's inbox
// and each institution's tracking, as the domain sees them.
func (f *fixture) state() string {
	f.t.Helper()
	ctx := context.Background()
	svc := f.srv.Notifications()
	var b strings.Builder
	for _, s := range []side{f.a, f.b} {
		cit := &identity.Principal{Account: identity.Account{ID: s.citizenID, NUI: mustNUI(f.t, s.citizenNUI)}, Roles: []identity.Grant{{Role: identity.RoleCitizen}}}
		page, err := svc.Inbox(ctx, cit, notification.Filter{}, "")
		if err != nil {
			f.t.Fatal(err)
		}
		fmt.Fprintf(&b, "inbox %s: %d;", s.citizenNUI, len(page.Items))
		staff := &identity.Principal{Account: identity.Account{ID: s.staffID, TOTPEnabled: true}, Roles: []identity.Grant{{Role: identity.RoleNotifier, InstitutionID: s.inst.ID}}}
		track, err := svc.Tracking(ctx, staff, s.inst.ID, notification.TrackFilter{}, "")
		if err != nil {
			f.t.Fatal(err)
		}
		fmt.Fprintf(&b, "tracking %s: %d;", s.inst.ID, len(track.Rows))
		tpls, err := svc.Templates(ctx, staff, s.inst.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		fmt.Fprintf(&b, "templates: %d;", len(tpls))
	}
	return b.String()
}

// TestSQLInjectionInSearchesAndFilters sends every payload in every
// parameter of every search and filter; each answer is an ordinary page (or
// a validation refusal), shows nothing of another tenant and no SQL error,
// and nothing changes.
func TestSQLInjectionInSearchesAndFilters(t *testing.T) {
	f := newFixture(t, nil)
	before := f.state()
	searches := []struct {
		who    Role
		path   string
		params []string
		// leak is text that must not appear: the other tenant's objects.
		leak []string
	}{
		{Citizen, "/buzon", []string{"q", "institucion", "estado", "plazo", "desde", "hasta", "despues"}, []string{f.b.notif}},
		{Notifier, "/institucion/" + f.a.inst.ID + "/notificaciones", []string{"q", "cedula", "tramite", "envio", "estado", "abierta", "alerta", "descargada", "plazo", "desde", "hasta", "despues", "enviadas", "rechazadas"}, []string{f.b.notif, f.b.citizenNUI}},
		{Notifier, "/institucion/" + f.a.inst.ID + "/notificaciones.csv", []string{"q", "cedula", "tramite", "desde", "hasta"}, []string{f.b.notif, f.b.citizenNUI}},
		{Mintel, "/mintel/solicitudes", []string{"q", "estado", "tipo", "marcadas"}, nil},
		{Mintel, "/mintel/instituciones", []string{"q", "estado", "modalidad"}, nil},
		{Digercic, "/digercic/buscar", []string{"nui"}, []string{f.a.citizenNUI, f.b.citizenNUI}},
		{Auditor, "/admin/auditoria", []string{"nui", "accion", "antes"}, nil},
		{InstAdmin, "/institucion/" + f.a.inst.ID + "/actividad", []string{"antes"}, nil},
		{SystemA, "/api/v1/notifications", []string{"reference", "state", "since", "cursor", "limit"}, []string{f.b.notif}},
		{SystemA, "/api/v1/events", []string{"cursor", "limit"}, []string{f.b.notif}},
	}
	var requests int
	for _, s := range searches {
		for _, param := range s.params {
			for _, p := range sqlPayloads {
				path := s.path + "?" + url.Values{param: {p}}.Encode()
				r := f.do(s.who, http.MethodGet, path, nil, "")
				requests++
				switch r.status {
				case http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity:
				default:
					t.Errorf("%s as %s: status %d", path, s.who, r.status)
				}
				for _, w := range append(sqlErrorWords, s.leak...) {
					if strings.Contains(r.body, w) {
						t.Errorf("%s as %s: the answer contains %q", path, s.who, w)
					}
				}
			}
		}
	}
	// A search for the exact tautology finds nothing in the buzón: the
	// text is a literal, not a condition.
	r := f.do(Citizen, http.MethodGet, "/buzon?"+url.Values{"q": {`' OR '1'='1`}}.Encode(), nil, "")
	if strings.Contains(r.body, f.a.notif) {
		t.Errorf("the tautology matched citizen A's notification: the search is not a literal")
	}
	if after := f.state(); after != before {
		t.Errorf("injections changed the data:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("%d injection requests", requests)
}

// xssPayloads must never come back unescaped.
var xssPayloads = []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}

// TestXSSNeverUnescaped stores the payloads in every field a user writes —
// subject, body, reference, file name, names of a person and of an
// institution, a template's name — and puts them in every query of every
// page, then renders every page to those who can see them: the raw payload
// appears in none.
func TestXSSNeverUnescaped(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	evil := strings.Join(xssPayloads, " ")
	// Stored: an institution, its notifier, a citizen with such names, and a
	// notification to him with such texts and attachment name.
	c := f.institution("Institución "+evil, "1760001550001")
	c2 := side{inst: c}
	acc := f.account(Role("notificador "+evil), identity.RoleNotifier, c.ID)
	cit := f.account(Role("ciudadano "+evil), identity.RoleCitizen, "")
	c2.citizenNUI, c2.citizenID, c2.staffID = cit.NUI.String(), cit.ID, acc.ID
	res := f.send(&c2, acc, identity.RoleNotifier, "Asunto "+evil, "Cuerpo "+evil+"\n\n**negrita** "+evil, evil+".pdf")
	id := res.Deposited[0].NotificationID
	p := &identity.Principal{Account: *acc, Roles: []identity.Grant{{Role: identity.RoleNotifier, InstitutionID: c.ID}}}
	if _, err := f.srv.Notifications().SaveTemplate(ctx, p, notification.Template{InstitutionID: c.ID, Name: "Plantilla " + evil, Subject: evil, Body: evil}); err != nil {
		t.Fatal(err)
	}
	// The citizen with the payload in his names receives one from A too.
	f.send(&side{inst: f.a.inst, citizenNUI: c2.citizenNUI}, mustAccount(t, f, Notifier), identity.RoleNotifier, "De A", "Texto", "a.pdf")

	pages := []struct {
		who  Role
		path string
	}{
		{Role("ciudadano " + evil), "/buzon"},
		{Role("ciudadano " + evil), "/buzon/" + id},
		{Role("ciudadano " + evil), "/cuenta"},
		{Role("notificador " + evil), "/institucion/" + c.ID + "/notificaciones"},
		{Role("notificador " + evil), "/institucion/" + c.ID + "/notificaciones/" + id},
		{Role("notificador " + evil), "/institucion/" + c.ID + "/plantillas"},
		{Role("notificador " + evil), "/institucion/" + c.ID + "/redactar"},
		{Role("notificador " + evil), "/institucion/" + c.ID + "/tablero"},
		{Role("notificador " + evil), "/cuenta"},
		{Notifier, "/institucion/" + f.a.inst.ID + "/notificaciones"},
		{Mintel, "/mintel/instituciones"},
		{Mintel, "/mintel/instituciones/" + c.ID},
		{Mintel, "/admin/personal"},
		{Auditor, "/admin/auditoria"},
		{Digercic, "/digercic/buscar?nui=" + c2.citizenNUI},
		{Digercic, "/digercic/cuentas/" + c2.citizenID},
		{Anonymous, "/instituciones"},
	}
	for _, pg := range pages {
		r := f.do(pg.who, http.MethodGet, pg.path, nil, "")
		if r.status != http.StatusOK {
			t.Errorf("%s as %s: status %d", pg.path, pg.who, r.status)
		}
		checkEscaped(t, pg.path, r)
	}
	// The attachment's name reaches the download's Content-Disposition as a
	// quoted, parseable parameter with no markup and no path.
	var attID string
	f.write(func(tx *store.Tx) error {
		atts, err := tx.AttachmentsOfBatch(ctx, res.BatchID)
		if err == nil && len(atts) > 0 {
			attID = atts[0].ID
		}
		return err
	})
	r := f.do(Role("ciudadano "+evil), http.MethodGet, "/buzon/"+id+"/anexos/"+attID, nil, "")
	_, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	if r.status != http.StatusOK || err != nil || strings.ContainsAny(params["filename"], `<>"/\`) {
		t.Errorf("download of the evil attachment: %d, Content-Disposition %q (%v)", r.status, r.header.Get("Content-Disposition"), err)
	}

	// Reflected: every GET route, as a role allowed there, with the payload
	// in the usual query parameters and in a path segment.
	q := url.Values{}
	for _, k := range []string{"q", "nui", "estado", "institucion", "desde", "hasta", "accion", "antes", "volver", "next", "error", "tipo", "cedula", "tramite", "despues", "plazo", "salio"} {
		q.Set(k, evil)
	}
	for _, p := range registeredRoutes(t) {
		if !strings.HasPrefix(p, "GET ") {
			continue
		}
		rw := matrix[p]
		who := allowedRole(rw.access)
		path := f.expand(rw.path, sideA)
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		r := f.do(who, http.MethodGet, path+"?"+q.Encode(), nil, "")
		checkEscaped(t, path+"?…", r)
		// The payload as the last path segment (an id, a token, a file).
		if cut := strings.LastIndexByte(path, '/'); strings.Contains(p, "{") && cut >= 0 && strings.HasPrefix(path, "/") {
			r := f.do(who, http.MethodGet, path[:cut+1]+url.PathEscape(evil), nil, "")
			checkEscaped(t, path[:cut+1]+"<payload>", r)
		}
	}
	// Forms echo what was typed: sign-in, the public requests, registration.
	for _, post := range []struct {
		who  Role
		path string
	}{
		{Anonymous, "/ingresar"}, {Anonymous, "/restablecer"}, {Anonymous, "/registro"},
		{Anonymous, "/instituciones/solicitud"}, {Anonymous, "/instituciones/cambio-de-administrador"},
		{Citizen, "/cuenta/correo"}, {Digercic, "/digercic/registro/consulta"}, {Digercic, "/digercic/registro"},
		{InstAdmin, "/institucion/" + f.a.inst.ID + "/perfil"}, {InstAdmin, "/institucion/" + f.a.inst.ID + "/personal"},
		{Mintel, "/admin/personal"}, {Mintel, "/admin/calendario"}, {Mintel, "/mintel/instituciones/" + f.a.inst.ID + "/cuota"},
		{Notifier, "/institucion/" + f.a.inst.ID + "/plantillas"},
	} {
		form := url.Values{}
		for _, k := range []string{"nui", "email", "correo", "nombre", "name", "nombres", "apellidos", "ruc", "cargo", "telefono", "direccion",
			"razon", "motivo", "asunto", "cuerpo", "fecha", "descripcion", "cuota", "rol", "password", "code", "sitio_web", "siglas"} {
			form.Set(k, evil)
		}
		r := f.do(post.who, http.MethodPost, post.path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		checkEscaped(t, "POST "+post.path, r)
	}
	// And the compose form, with the payload in every field and file name.
	body, ct := multipartBody(t, map[string]string{"destinatarios": evil, "asunto": evil, "referencia": evil, "cuerpo": evil,
		"expediente": evil, "tramite_titulo": evil, "plazo_tipo": evil, "plazo_dias": evil}, "anexos", evil+".pdf", pdf)
	r = f.do(Notifier, http.MethodPost, "/institucion/"+f.a.inst.ID+"/redactar", body, ct)
	checkEscaped(t, "POST compose", r)
}

func checkEscaped(t *testing.T, what string, r result) {
	t.Helper()
	for _, p := range xssPayloads {
		if strings.Contains(r.body, p) {
			t.Errorf("%s (status %d): the payload %q appears unescaped", what, r.status, p)
		}
	}
	if r.status >= 500 {
		t.Errorf("%s: status %d", what, r.status)
	}
}

// allowedRole is a role the matrix lets through a route of access a.
func allowedRole(a access) Role {
	for _, who := range roles {
		if expect(a, who, sideA) == allowed {
			return who
		}
	}
	return Anonymous
}

func mustAccount(t *testing.T, f *fixture, who Role) *identity.Account {
	t.Helper()
	acc, err := f.srv.Identity().Account(context.Background(), f.ids[who])
	if err != nil {
		t.Fatal(err)
	}
	acc.TOTPEnabled = true
	return acc
}

func multipartBody(t *testing.T, fields map[string]string, fileField, filename string, content []byte) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileField != "" {
		fw, err := w.CreateFormFile(fileField, filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

// TestPathTraversal: a file name with ../ is stored as a plain name, and
// ../ in a download path reaches no file.
func TestPathTraversal(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for _, name := range []string{"../../etc/passwd", `..\..\windows\win.ini`, "/etc/passwd", "a/../../b.pdf", "....//....//etc/passwd"} {
		att, err := f.srv.Notifications().StoreAttachment(ctx, name, bytes.NewReader(pdf), int64(len(pdf)))
		if err != nil {
			continue // refused: fine
		}
		if strings.ContainsAny(att.Filename, `/\`) || strings.Contains(att.Filename, "..") {
			t.Errorf("attachment name %q stored as %q", name, att.Filename)
		}
	}
	for _, p := range []struct {
		who  Role
		path string
	}{
		{Anonymous, "/static/..%2f..%2fgo.mod"},
		{Anonymous, "/static/..%2F..%2F..%2Fetc%2Fpasswd"},
		{Anonymous, "/static/%2e%2e/%2e%2e/go.mod"},
		{Citizen, "/buzon/" + f.a.notif + "/anexos/..%2F..%2Fmaster.key"},
		{Citizen, "/buzon/..%2F" + f.b.notif},
		{Citizen, "/cuenta/registro/..%2F..%2Fmaster.key"},
		{Digercic, "/digercic/ciudadanos/" + f.a.citizenNUI + "/registro/..%2F..%2F..%2Fmaster.key"},
		{Notifier, "/institucion/" + f.a.inst.ID + "/notificaciones/" + f.a.notif + "/anexos/..%2F..%2Fbuzon.db"},
		{Anonymous, "/instituciones/logo/..%2F..%2Fmaster.key"},
		{Anonymous, "/evidence/records/..%2F..%2Fmaster.key"},
	} {
		r := f.do(p.who, http.MethodGet, p.path, nil, "")
		if r.status == http.StatusOK || r.status >= 500 {
			t.Errorf("%s as %s: status %d", p.path, p.who, r.status)
		}
		if strings.Contains(r.body, "module buzon") || strings.Contains(r.body, "root:") || strings.Contains(r.body, "SQLite format") {
			t.Errorf("%s as %s: served a file outside its place", p.path, p.who)
		}
	}
}

// TestPolyglotAndOversizeUploads: polyglot files are refused through the
// web and the API, oversize bodies get 413, malformed multipart a 4xx, and
// nothing is stored.
func TestPolyglotAndOversizeUploads(t *testing.T) {
	f := newFixture(t, nil)
	before := f.state()
	compose := "/institucion/" + f.a.inst.ID + "/redactar"
	fields := map[string]string{"destinatarios": f.a.citizenNUI, "asunto": "Prueba", "cuerpo": "Texto"}
	polyglots := map[string][]byte{
		"pdf-with-script.pdf": append([]byte("%PDF-1.4\n<script>alert(1)</script>\n"), pdf[9:]...),
		"html-then-pdf.pdf":   append([]byte("<html><!-- "), pdf...),
		"pdf-with-zip.pdf":    append(append([]byte{}, pdf...), zipOf(t, "a.txt", "x")...),
		"text-with-zip.txt":   append([]byte("hola\n"), zipOf(t, "a.txt", "x")...),
	}
	for name, content := range polyglots {
		body, ct := multipartBody(t, fields, "anexos", name, content)
		r := f.do(Notifier, http.MethodPost, compose, body, ct)
		if r.status < 400 || r.status >= 500 {
			t.Errorf("web polyglot %s: status %d, want a refusal", name, r.status)
		}
		body, ct = multipartBody(t, nil, "file", name, content)
		r = f.do(SystemA, http.MethodPost, "/api/v1/files", body, ct)
		if r.status < 400 || r.status >= 500 {
			t.Errorf("API polyglot %s: status %d %s, want a refusal", name, r.status, r.body)
		}
	}

	// Oversize: 200 MB, declared in Content-Length and sent as a stream.
	// Uploads and the API answer 413; a plain form (url-encoded, which the
	// standard library stops reading at 10 MB) is refused as an invalid
	// form. Either way nothing is stored (checked below) and the server
	// stops reading.
	huge := []struct {
		who    Role
		path   string
		field  string // the file field of a multipart upload, or "" for a plain body
		ct     string
		status int // 0: any refusal (4xx)
		size   int64
	}{
		// Compose accepts up to ten attachments: 1 GB is over its bound.
		{Notifier, compose, "anexos", "", 413, 1 << 30},
		{SystemA, "/api/v1/files", "file", "", 413, 0},
		// The institutions' forms are shown again, with the refusal, as 422.
		{InstAdmin, "/institucion/" + f.a.inst.ID + "/logo", "logo", "", 422, 0},
		{Mintel, "/admin/calendario/importar", "archivo", "", 413, 0},
		{Anonymous, "/instituciones/solicitud", "delegation", "", 422, 0},
		{Anonymous, "/instituciones/cambio-de-administrador", "delegation", "", 422, 0},
		{SystemA, "/api/v1/notifications", "", "application/json", 413, 0},
		{SystemA, "/api/v1/batches", "", "application/json", 413, 0},
		{SystemA, "/api/v1/webhooks", "", "application/json", 413, 0},
		{Anonymous, "/ingresar", "", "application/x-www-form-urlencoded", 0, 0},
		{Citizen, "/cuenta/contrasena", "", "application/x-www-form-urlencoded", 0, 0},
		{Anonymous, "/ingresar/llave", "", "application/json", 0, 0},
	}
	var lines []string
	for _, h := range huge {
		if h.size == 0 {
			h.size = 200 << 20
		}
		body, ct := hugeBody(h.field, h.size)
		if h.ct != "" {
			ct = h.ct
		}
		r := f.do(h.who, http.MethodPost, h.path, body, ct)
		if (h.status != 0 && r.status != h.status) || r.status < 400 || r.status >= 500 {
			t.Errorf("POST %s as %s with %d MB: status %d, want %d", h.path, h.who, h.size>>20, r.status, h.status)
		}
		lines = append(lines, fmt.Sprintf("| `POST %s` | %s | %d MB | %d |", strings.ReplaceAll(h.path, f.a.inst.ID, "{id}"), strings.Split(ct, ";")[0], h.size>>20, r.status))
	}
	checkDoc(t, "oversize", "| request | Content-Type | body | answer |\n|---|---|---|---|\n"+strings.Join(lines, "\n")+"\n")

	// Malformed multipart: a boundary that never comes, a truncated part,
	// no boundary at all.
	for name, m := range map[string]struct{ ct, body string }{
		"no boundary":        {"multipart/form-data", "--x\r\n"},
		"boundary missing":   {"multipart/form-data; boundary=zzz", "--x\r\nContent-Disposition: form-data; name=\"asunto\"\r\n\r\nA\r\n"},
		"truncated part":     {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"anexos\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4"},
		"header without end": {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"asunto\"" + strings.Repeat("a", 20000)},
	} {
		for _, target := range []struct {
			who  Role
			path string
		}{{Notifier, compose}, {SystemA, "/api/v1/files"}, {InstAdmin, "/institucion/" + f.a.inst.ID + "/logo"}, {Mintel, "/admin/calendario/importar"}, {Anonymous, "/instituciones/solicitud"}} {
			r := f.do(target.who, http.MethodPost, target.path, strings.NewReader(m.body), m.ct)
			if r.status < 400 || r.status >= 500 {
				t.Errorf("%s to %s: status %d, want a 4xx", name, target.path, r.status)
			}
		}
	}
	if after := f.state(); after != before {
		t.Errorf("refused uploads changed the data:\nbefore %s\nafter  %s", before, after)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestSlowClientsAreCutOff: a client that sends its headers one byte at a
// time and never finishes (slowloris) is disconnected by the server's
// ReadHeaderTimeout instead of holding a connection forever.
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: buzon\r\n"); err != nil {
		t.Fatal(err)
	}
	// Keep dribbling a header; the server must close the connection. The
	// deadline only keeps a broken server from hanging the test.
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	closed := make(chan error, 1)
	go func() {
		_, err := bufio.NewReader(conn).ReadByte()
		closed <- err
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-closed:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept a slow client's connection open for 2 minutes")
			}
			return // closed by the server (EOF, or a 408 then EOF)
		case <-tick.C:
			if _, err := io.WriteString(conn, "X"); err != nil {
				return // the server closed the connection
			}
		}
	}
}

func mustNUI(t testing.TB, s string) nui.NUI {
	t.Helper()
	n, err := nui.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// zipOf is a ZIP archive with one file, to append to another file.
func zipOf(t *testing.T, name, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	fw, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, body)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugeBody is n bytes of zeros with a declared length: a well-formed
// multipart upload of one file in field when field is set, else the bare
// bytes.
func hugeBody(field string, n int64) (declared, string) {
	if field == "" {
		return declared{io.LimitReader(zeros{}, n), n}, ""
	}
	head := "--frontera\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"grande.pdf\"\r\n" +
		"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
	tail := "\r\n--frontera--\r\n"
	total := int64(len(head)) + n + int64(len(tail))
	return declared{io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, n), strings.NewReader(tail)), total},
		"multipart/form-data; boundary=frontera"
}

// TestNoOpenRedirect: the places that redirect to a path the request names
// (the language switch's volver, the return after signing in) never send
// the browser to another host.
func TestNoOpenRedirect(t *testing.T) {
	f := newFixture(t, nil)
	for _, target := range []string{"//evil.example/", `/\evil.example/`, "/%2fevil.example/%20x", "/%2f%2fevil.example", "https://evil.example/",
		"/%5cevil.example", "/\t/evil.example", "/%09/evil.example", "http:evil.example", "//evil.example@buzon", "/%2F/evil.example/ x", "/%2fevil.example/ x"} {
		r := f.do(Anonymous, http.MethodGet, "/idioma/en?"+url.Values{"volver": {target}}.Encode(), nil, "")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/") || strings.HasPrefix(r.location, "//") || strings.HasPrefix(r.location, `/\`) {
			t.Errorf("language switch to %q: %d, Location %q", target, r.status, r.location)
		}
	}
}
