package richtext

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const a = `<a href="https://www.gob.ec" rel="noopener noreferrer nofollow">https://www.gob.ec</a>`

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		desc, src, want string
	}{
		{"empty", "", ""},
		{"one paragraph", "Estimado ciudadano:", "<p>Estimado ciudadano:</p>\n"},
		{"line breaks kept", "línea uno\nlínea dos", "<p>línea uno<br>\nlínea dos</p>\n"},
		{"paragraphs", "uno\n\n\n  \ndos", "<p>uno</p>\n<p>dos</p>\n"},
		{"CRLF", "uno\r\n\r\ndos\rtres", "<p>uno</p>\n<p>dos<br>\ntres</p>\n"},
		{"bold", "un **plazo de 10 días** hábiles", "<p>un <strong>plazo de 10 días</strong> hábiles</p>\n"},
		{"italic with asterisks", "el *Registro Oficial* dice", "<p>el <em>Registro Oficial</em> dice</p>\n"},
		{"italic with underscores", "el _Registro Oficial_ dice", "<p>el <em>Registro Oficial</em> dice</p>\n"},
		{"italic inside bold", "**negrita _y cursiva_ juntas**", "<p><strong>negrita <em>y cursiva</em> juntas</strong></p>\n"},
		{"bold inside italic", "*cursiva **y negrita** juntas*", "<p><em>cursiva <strong>y negrita</strong> juntas</em></p>\n"},
		{"bold not nested in bold", "**a **b** c**", "<p><strong>a **b</strong> c**</p>\n"},
		{"unclosed bold", "**sin cierre", "<p>**sin cierre</p>\n"},
		{"unclosed italic", "2 * 3 = 6 y *no", "<p>2 * 3 = 6 y *no</p>\n"},
		{"space after opener", "** no ** es negrita", "<p>** no ** es negrita</p>\n"},
		{"space before closer", "*no *es", "<p>*no *es</p>\n"},
		{"marks do not span lines", "**uno\ndos**", "<p>**uno<br>\ndos**</p>\n"},
		{"underscore inside words", "archivo_final_v2.pdf y juan_perez@correo.ec", "<p>archivo_final_v2.pdf y juan_perez@correo.ec</p>\n"},
		{"triple asterisks", "***x***", "<p><strong>*x</strong>*</p>\n"},
		{"empty markers", "**** y __", "<p>**** y __</p>\n"},
		{"bullets", "- uno\n- dos\n* tres", "<ul>\n<li>uno</li>\n<li>dos</li>\n<li>tres</li>\n</ul>\n"},
		{"list after a paragraph line", "Adjunto:\n- oficio\n- anexo", "<p>Adjunto:</p>\n<ul>\n<li>oficio</li>\n<li>anexo</li>\n</ul>\n"},
		{"paragraph after a list", "- uno\nfin", "<ul>\n<li>uno</li>\n</ul>\n<p>fin</p>\n"},
		{"continuation line", "- uno\n  sigue\n- dos", "<ul>\n<li>uno<br>\nsigue</li>\n<li>dos</li>\n</ul>\n"},
		{"numbers", "1. uno\n2. dos", "<ol>\n<li>uno</li>\n<li>dos</li>\n</ol>\n"},
		{"numbers keep the sender's values", "3. tres\n4. cuatro\n7. siete", "<ol start=\"3\">\n<li>tres</li>\n<li>cuatro</li>\n<li value=\"7\">siete</li>\n</ol>\n"},
		{"bullets then numbers", "- a\n1. b", "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>\n"},
		{"not a list", "-sin espacio\n1.5 no\n2024.", "<p>-sin espacio<br>\n1.5 no<br>\n2024.</p>\n"},
		{"bold in a list", "- **importante**", "<ul>\n<li><strong>importante</strong></li>\n</ul>\n"},
		{"link", "ver https://www.gob.ec", "<p>ver " + a + "</p>\n"},
		{"link with sentence punctuation", "ver https://www.gob.ec.", "<p>ver " + a + ".</p>\n"},
		{"link in parentheses", "(https://www.gob.ec)", "<p>(" + a + ")</p>\n"},
		{"link with balanced parentheses", "https://es.wikipedia.org/wiki/Quito_(ciudad)", `<p><a href="https://es.wikipedia.org/wiki/Quito_(ciudad)" rel="noopener noreferrer nofollow">https://es.wikipedia.org/wiki/Quito_(ciudad)</a></p>` + "\n"},
		{"link with query", "https://x.gob.ec/a?b=1&c=2", `<p><a href="https://x.gob.ec/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">https://x.gob.ec/a?b=1&amp;c=2</a></p>` + "\n"},
		{"link in bold", "**https://www.gob.ec**", "<p><strong>" + a + "</strong></p>\n"},
		{"link with underscores in italic", "_ver https://x.ec/a_b_", `<p><em>ver <a href="https://x.ec/a_b" rel="noopener noreferrer nofollow">https://x.ec/a_b</a></em></p>` + "\n"},
		{"http link", "http://www.gob.ec", `<p><a href="http://www.gob.ec" rel="noopener noreferrer nofollow">http://www.gob.ec</a></p>` + "\n"},
		{"scheme in capitals", "HTTPS://www.gob.ec", "<p>" + `<a href="https://www.gob.ec" rel="noopener noreferrer nofollow">https://www.gob.ec</a>` + "</p>\n"},
		{"bare https:// is text", "https:// y https://", "<p>https:// y https://</p>\n"},
		{"tab kept as text", "a\tb", "<p>a\tb</p>\n"},
	} {
		got := string(Render(tc.src))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: Render(%q) (-want +got):\n%s", tc.desc, tc.src, diff)
		}
	}
}

func TestRenderRefusesMarkupAndScripts(t *testing.T) {
	for _, tc := range []struct {
		desc, src, want string
	}{
		{"script tag", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"img onerror", `<img src=x onerror="alert(1)">`, "<p>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>\n"},
		{"javascript: URL", "javascript:alert(document.cookie)", "<p>javascript:alert(document.cookie)</p>\n"},
		{"javascript: after https", "https://javascript:alert(1)", "<p>https://javascript:alert(1)</p>\n"},
		{"data: URL", "data:text/html;base64,PHNjcmlwdD4=", "<p>data:text/html;base64,PHNjcmlwdD4=</p>\n"},
		{"quote breaking out of href", `https://x.ec/"onmouseover="alert(1)`, `<p><a href="https://x.ec/" rel="noopener noreferrer nofollow">https://x.ec/</a>&#34;onmouseover=&#34;alert(1)</p>` + "\n"},
		{"single quote in URL", `https://x.ec/'x`, `<p><a href="https://x.ec/" rel="noopener noreferrer nofollow">https://x.ec/</a>&#39;x</p>` + "\n"},
		{"angle bracket in URL", "https://x.ec/<script>", `<p><a href="https://x.ec/" rel="noopener noreferrer nofollow">https://x.ec/</a>&lt;script&gt;</p>` + "\n"},
		{"credentials disguise", "https://www.bancodelpacifico.com@evil.example/login", "<p>https://www.bancodelpacifico.com@evil.example/login</p>\n"},
		{"entity stays text", "&lt;script&gt; &amp; &#x3C;", "<p>&amp;lt;script&amp;gt; &amp;amp; &amp;#x3C;</p>\n"},
		{"markup inside bold", "**<b>x</b>**", "<p><strong>&lt;b&gt;x&lt;/b&gt;</strong></p>\n"},
		{"bidi override removed", "factura\u202efdp.exe", "<p>facturafdp.exe</p>\n"},
		{"NUL and controls removed", "a\x00b\x07c\x1bd", "<p>abcd</p>\n"},
		{"invalid UTF-8 replaced", "a\xffb", "<p>a\uFFFDb</p>\n"},
		{"URL in a word is not a link", "xhttps://evil.example", "<p>xhttps://evil.example</p>\n"},
	} {
		got := string(Render(tc.src))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: Render(%q) (-want +got):\n%s", tc.desc, tc.src, diff)
		}
	}
}

func TestPlainText(t *testing.T) {
	for _, tc := range []struct {
		desc, src, want string
	}{
		{"marks removed", "un **plazo** de *diez* _días_", "un plazo de diez días"},
		{"paragraphs and breaks", "uno\ndos\n\n\ntres\r\n", "uno\ndos\n\ntres"},
		{"lists", "Adjunto:\n- oficio\n  firmado\n- anexo\n\n3. tres\n4. cuatro", "Adjunto:\n\n- oficio\n  firmado\n- anexo\n\n3. tres\n4. cuatro"},
		{"links as URLs", "ver https://www.gob.ec.", "ver https://www.gob.ec."},
		{"markup kept as text", "<b>x</b> & y", "<b>x</b> & y"},
		{"unbalanced marks kept", "2 * 3 y **no", "2 * 3 y **no"},
		{"controls removed", "a\u202eb\x00", "ab"},
	} {
		if diff := cmp.Diff(tc.want, PlainText(tc.src)); diff != "" {
			t.Errorf("%s: PlainText(%q) (-want +got):\n%s", tc.desc, tc.src, diff)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		desc string
		src  string
		want error
		line int
	}{
		{"ordinary text", "Estimado señor Peña:\n\nSe le notifica la **resolución** Nº 12.", nil, 0},
		{"tabs and CRLF", "a\tb\r\nc", nil, 0},
		{"emoji and joiners", "👨‍👩‍👧 ok", nil, 0},
		{"empty", "", ErrEmpty, 0},
		{"blank", " \n\t\n", ErrEmpty, 0},
		{"too long", strings.Repeat("a", MaxBytes+1), ErrTooLong, 0},
		{"at the limit", strings.Repeat("a", MaxBytes), nil, 0},
		{"invalid UTF-8", "Resoluci\xf3n", ErrEncoding, 0},
		{"NUL", "a\n\nb\x00", ErrControl, 3},
		{"escape", "\x1b[31m", ErrControl, 1},
		{"DEL", "a\x7f", ErrControl, 1},
		{"C1 control", "a\u0085", ErrControl, 1},
		{"byte-order mark inside", "a\ufeffb", ErrControl, 1},
		{"right-to-left override", "x\ny\nfactura\u202efdp.exe", ErrBidi, 3},
		{"isolate", "a\u2067b", ErrBidi, 1},
		{"right-to-left mark", "a\u200fb", ErrBidi, 1},
	} {
		err := Validate(tc.src)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: Validate = %v", tc.desc, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Validate = %v, want %v", tc.desc, err, tc.want)
			continue
		}
		var pe *PositionError
		if errors.As(err, &pe) != (tc.line > 0) || tc.line > 0 && pe.Line != tc.line {
			t.Errorf("%s: Validate = %#v, want line %d", tc.desc, err, tc.line)
		}
		if tc.line > 0 && (!strings.HasPrefix(err.Error(), "línea ") || !strings.HasPrefix(pe.English(), "line ") || pe.Code() != tc.want.(*Error).Code()) {
			t.Errorf("%s: messages %q / %q", tc.desc, err.Error(), pe.English())
		}
	}
	if err := Validate(Normalize("\ufeffhola\r\n")); err != nil {
		t.Errorf("a leading byte-order mark survives Normalize: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	got := Normalize("\ufeffuno  \r\ndos\rtres\t\n\n\n")
	if diff := cmp.Diff("uno\ndos\ntres", got); diff != "" {
		t.Error(diff)
	}
}

func TestHelpRendersItsOwnExamples(t *testing.T) {
	for _, lang := range []string{"es", "en", ""} {
		h := string(Render(Help(lang)))
		for _, want := range []string{"<strong>", "<em>", "<ul>", `<a href="https://www.gob.ec"`} {
			if !strings.Contains(h, want) {
				t.Errorf("Help(%q) rendered lacks %s:\n%s", lang, want, h)
			}
		}
	}
	if Help("es") == Help("en") || Help("") != Help("es") {
		t.Error("Help languages mixed up")
	}
}

func BenchmarkRender(b *testing.B) {
	src := strings.Repeat("Estimado **ciudadano**, revise _el anexo_ en https://www.gob.ec/tramite?id=1.\n- uno\n- dos\n\n", 500)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Render(src)
	}
}

func BenchmarkRenderAdversarial(b *testing.B) {
	src := strings.Repeat("*_**(https://[", MaxBytes/14)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Render(src)
	}
}
