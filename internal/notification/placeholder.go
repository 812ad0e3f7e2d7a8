package notification

import (
	"strings"

	"buzon/internal/calendar"
)

// Placeholders are the variable fields a subject or body may contain, such
// as "Estimado/a {{nombres}}": each is replaced, for every recipient, when
// the notification is deposited, so the stored text is what the citizen
// reads. A recipients file adds its own columns as further placeholders
// (see RecipientValues).
var placeholders = []string{"nombres", "apellidos", "nombre_completo", "cedula", "fecha", "institucion", "expediente", "referencia"}

// PlaceholderNames lists the placeholders as written in a text, e.g. "{{nombres}}".
func PlaceholderNames() []string {
	out := make([]string, len(placeholders))
	for i, p := range placeholders {
		out[i] = "{{" + p + "}}"
	}
	return out
}

func builtinPlaceholder(name string) bool {
	for _, p := range placeholders {
		if p == name {
			return true
		}
	}
	return false
}

// placeholderValues holds the values for one recipient.
type placeholderValues struct {
	GivenNames, Surnames, NUI, Institution, Expediente, Reference string
	Date                                                          calendar.Date
	// Vars are the recipient's own values from a recipients file; a
	// non-empty one wins over the platform's value of the same name.
	Vars map[string]string
}

func (v placeholderValues) lookup(name string) (string, bool) {
	if val := v.Vars[name]; val != "" {
		return val, true
	}
	switch name {
	case "nombres":
		return v.GivenNames, true
	case "apellidos":
		return v.Surnames, true
	case "nombre_completo":
		return strings.TrimSpace(v.GivenNames + " " + v.Surnames), true
	case "cedula":
		return v.NUI, true
	case "fecha":
		return calendar.FormatLong(v.Date, "es"), true
	case "institucion":
		return v.Institution, true
	case "expediente":
		return v.Expediente, true
	case "referencia":
		return v.Reference, true
	}
	if _, ok := v.Vars[name]; ok {
		return "", true // the file has the column, but not for this row
	}
	return "", false
}

// checkPlaceholders reports ErrPlaceholderUnknown if text names a
// placeholder that does not exist. "{{" not closed is left as text.
func checkPlaceholders(text string) error {
	_, err := expand(text, placeholderValues{})
	return err
}

// placeholdersIn returns the names text uses, lower case, each once, in
// order of first use.
func placeholdersIn(text string) []string {
	var out []string
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			return out
		}
		name := strings.ToLower(strings.TrimSpace(text[i+2 : i+j]))
		seen := false
		for _, n := range out {
			seen = seen || n == name
		}
		if !seen {
			out = append(out, name)
		}
		text = text[i+j+2:]
	}
}

// expand replaces every {{name}} (spaces inside the braces allowed) with its
// value.
func expand(text string, v placeholderValues) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			break
		}
		name := strings.ToLower(strings.TrimSpace(text[i+2 : i+j]))
		val, ok := v.lookup(name)
		if !ok {
			return "", ErrPlaceholderUnknown
		}
		b.WriteString(text[:i])
		b.WriteString(val)
		text = text[i+j+2:]
	}
	b.WriteString(text)
	return b.String(), nil
}

// fold lowers s and removes Spanish accents, for search: "Resolución" and
// "resolucion" match.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'á', 'à', 'ä', 'â', 'Á', 'À', 'Ä', 'Â':
			return 'a'
		case 'é', 'è', 'ë', 'ê', 'É', 'È', 'Ë', 'Ê':
			return 'e'
		case 'í', 'ì', 'ï', 'î', 'Í', 'Ì', 'Ï', 'Î':
			return 'i'
		case 'ó', 'ò', 'ö', 'ô', 'Ó', 'Ò', 'Ö', 'Ô':
			return 'o'
		case 'ú', 'ù', 'ü', 'û', 'Ú', 'Ù', 'Ü', 'Û':
			return 'u'
		case 'ñ', 'Ñ':
			return 'n'
		}
		return toLower(r)
	}, s)
}

func toLower(r rune) rune {
	if r < 128 {
		if 'A' <= r && r <= 'Z' {
			return r + 32
		}
		return r
	}
	return []rune(strings.ToLower(string(r)))[0]
}
