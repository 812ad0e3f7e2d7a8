package institution

import (
	"strings"
	"testing"
)

func TestPhone(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"02 396 3000", "02 396 3000", true},
		{" +593  2 396-3000 ", "+593 2 396-3000", true},
		{"(02) 396.3000", "(02) 396.3000", true},
		{"0991234567", "0991234567", true},
		{"123456", "", false},
		{"1234567890123456", "", false},
		{"02 396 3000 ext 5", "", false},
		{"2+593", "", false},
		{"", "", false},
	} {
		var p problems
		got := phone(&p, "phone", tc.in)
		if ok := p.err() == nil; ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("phone(%q) = %q, %v; want %q, ok %v", tc.in, got, p.err(), tc.want, tc.ok)
		}
	}
}

func TestWebsite(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"https://www.sri.gob.ec", "https://www.sri.gob.ec", true},
		{"www.sri.gob.ec/tramites", "https://www.sri.gob.ec/tramites", true},
		{"http://gad.cuenca.gob.ec", "http://gad.cuenca.gob.ec", true},
		{"javascript:alert(1)", "", false},
		{"ftp://sri.gob.ec", "", false},
		{"https://localhost", "", false},
		{"https://user:pw@sri.gob.ec", "", false},
		{"https://sri.gob.ec/<script>", "", false},
	} {
		var p problems
		got := website(&p, "website", tc.in)
		if ok := p.err() == nil; ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("website(%q) = %q, %v; want %q, ok %v", tc.in, got, p.err(), tc.want, tc.ok)
		}
	}
}

func TestSizeText(t *testing.T) {
	for _, tc := range []struct {
		n      int64
		es, en string
	}{
		{10 << 20, "10 MB", "10 MB"}, {3 << 19, "1,5 MB", "1.5 MB"}, {512 << 10, "512 KB", "512 KB"}, {100, "100 bytes", "100 bytes"},
	} {
		if got := sizeText(tc.n, "es"); got != tc.es {
			t.Errorf("sizeText(%d, es) = %q, want %q", tc.n, got, tc.es)
		}
		if got := sizeText(tc.n, "en"); got != tc.en {
			t.Errorf("sizeText(%d, en) = %q, want %q", tc.n, got, tc.en)
		}
	}
}

// FuzzActivationFormCheck feeds arbitrary text to every field: the check
// never panics, every refusal names a field and is a coded sentence, and
// whatever it accepts is clean one-line text.
func FuzzActivationFormCheck(f *testing.F) {
	f.Add("Ministerio de Pruebas", "MIPRU", "1760000070001", "ejecutiva", "Quito", "www.x.gob.ec", "02 396 3000", "a@b.ec", "1714307103", "plataforma")
	f.Add("", "\u202e", "17600000A0001", "x", "\n", "javascript:x", "+", "@", "2500000001", "")
	f.Fuzz(func(t *testing.T, name, acronym, ruc, sector, address, site, tel, mail, cedula, modality string) {
		form := ActivationForm{Name: name, Acronym: acronym, RUC: ruc, Sector: sector, Address: address, Website: site,
			ContactPhone: tel, ContactEmail: mail, RequesterNames: name, RequesterNUI: cedula, RequesterPosition: acronym,
			RequesterEmail: mail, Modality: modality,
			Admin: AdminForm{Names: address, NUI: cedula, Position: name, Email: mail, Phone: tel}}
		var p problems
		a := form.check(&p)
		for _, e := range p.errs {
			c, ok := e.(Coded)
			if !ok || FieldOf(e) == "" || c.Code() == "" || c.English() == "" || e.Error() == "" {
				t.Errorf("refusal %#v is not a coded field error", e)
			}
		}
		if !p.has("name") && (strings.ContainsAny(a.name, "\n\r\t") || a.name != strings.TrimSpace(a.name)) {
			t.Errorf("accepted name %q is not clean", a.name)
		}
		if !p.has("website") && a.website != "" && !strings.HasPrefix(a.website, "http") {
			t.Errorf("accepted website %q", a.website)
		}
	})
}
