package richtext

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// allowedAttrs lists, per element Render may emit, the attributes it may carry.
var allowedAttrs = map[string][]string{
	"p": nil, "br": nil, "strong": nil, "em": nil, "ul": nil, "li": {"value"}, "ol": {"start"},
	"a": {"href", "rel"},
}

// checkHTML parses out with a real HTML tokenizer and fails unless every tag is
// one Render emits, with only its attributes, properly nested, with safe links.
func checkHTML(t *testing.T, src, out string) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("Render(%q) = %q: "+format, append([]any{src, out}, args...)...)
	}
	if !utf8.ValidString(out) {
		fail("invalid UTF-8")
	}
	z := html.NewTokenizer(strings.NewReader(out))
	var stack []string
	tags := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			tags++
			allowed, ok := allowedAttrs[tok.Data]
			if !ok {
				fail("element <%s>", tok.Data)
			}
			for _, at := range tok.Attr {
				if !contains(allowed, at.Key) {
					fail("attribute %s on <%s>", at.Key, tok.Data)
				}
				switch at.Key {
				case "href":
					if v := strings.ToLower(strings.TrimSpace(at.Val)); strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") {
						fail("script link %q", at.Val)
					}
					u, err := url.Parse(at.Val)
					if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
						fail("href %q", at.Val)
					}
				case "rel":
					if at.Val != Rel {
						fail("rel %q", at.Val)
					}
				case "start", "value":
					if _, err := strconv.Atoi(at.Val); err != nil {
						fail("%s=%q", at.Key, at.Val)
					}
				}
			}
			if tok.Data == "a" && len(tok.Attr) != 2 {
				fail("link without href and rel")
			}
			if tok.Data != "br" {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			tags++
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				fail("</%s> does not close %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		case html.CommentToken, html.DoctypeToken:
			fail("comment or doctype")
		}
	}
	if len(stack) != 0 {
		fail("unclosed %v", stack)
	}
	// Every "<" in the output opens one of the tags counted above: no stray "<"
	// for a lenient parser to make something of.
	if n := strings.Count(out, "<"); n != tags {
		fail("%d '<' for %d tags", n, tags)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"", "**a** *b* _c_", "- x\n- y\n\n1. z", "https://www.gob.ec/a_(b)?c=1&d=2.", "<script>alert(1)</script>",
		"***x***", "*_**_*", "_a **b https://x.ec/*y** c_", "https://a@b.ec", "javascript:alert(1)",
		"3. a\n  b\n9. c", "x\u202ey\x00", "\xff\xfe", "**https://x.ec/\"><script>**",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := string(Render(src))
		checkHTML(t, src, out)
		plain := PlainText(src)
		if !utf8.ValidString(plain) {
			t.Fatalf("PlainText(%q) invalid UTF-8", src)
		}
		for _, r := range plain {
			if r != '\n' && r != '\t' && forbidden(r) != nil {
				t.Fatalf("PlainText(%q) keeps %U", src, r)
			}
		}
		if Validate(src) == nil && strings.TrimSpace(Normalize(src)) != "" && strings.TrimSpace(plain) == "" && strings.Trim(src, "*_-. \n\t\r0123456789") != "" {
			t.Fatalf("PlainText(%q) lost all the text", src)
		}
	})
}

func FuzzValidate(f *testing.F) {
	f.Add("hola")
	f.Add("a\u202eb")
	f.Add("\x00")
	f.Fuzz(func(t *testing.T, src string) {
		err := Validate(src)
		if err != nil {
			return
		}
		// Whatever Validate accepts, rendering keeps entirely: nothing is dropped
		// from a valid body except line-end differences.
		if sanitize(src) != Normalize(src) {
			t.Fatalf("valid %q altered by sanitising", src)
		}
	})
}
