package notification

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"buzon/internal/calendar"
	"buzon/internal/nui"
	"buzon/internal/recipients"
	"buzon/internal/store"
)

// RecipientValues are one recipient's own values, read from a recipients
// file: his reference and the values of the file's further columns, which
// fill the placeholders of the same name for him alone ("{{monto}}" from a
// column "monto").
type RecipientValues struct {
	// Reference replaces Submission.Reference for this recipient when not "".
	Reference string `json:",omitempty"`
	// Vars maps a placeholder name, lower case, to this recipient's value. A
	// non-empty value wins over the platform's value of the same name, so a
	// file's "nombres" column is what {{nombres}} says.
	Vars map[string]string `json:",omitempty"`
}

// ValuesOf turns recipients read from a file into Submission.PerRecipient,
// in the same order; nil when no entry carries a value of its own, so a
// plain list stays plain.
func ValuesOf(entries []recipients.Entry) []RecipientValues {
	some := false
	out := make([]RecipientValues, len(entries))
	for i, e := range entries {
		out[i] = entryValues(e)
		some = some || out[i].Reference != "" || len(out[i].Vars) > 0
	}
	if !some {
		return nil
	}
	return out
}

func entryValues(e recipients.Entry) RecipientValues {
	v := RecipientValues{Reference: e.Referencia}
	if e.Nombres != "" || len(e.Vars) > 0 {
		v.Vars = make(map[string]string, len(e.Vars)+1)
		for k, val := range e.Vars {
			v.Vars[k] = val
		}
		if e.Nombres != "" {
			v.Vars["nombres"] = e.Nombres
		}
	}
	return v
}

// ErrPlaceholderValueMissing refuses one recipient whose row lacks the
// value of a placeholder the text uses; see missingValue for the sentence
// that names it.
var ErrPlaceholderValueMissing = newError("placeholder_value_missing", "recipients",
	"Falta el valor de un campo variable que usa el texto.", "A placeholder the text uses has no value for this recipient.")

// ErrRecipientValues means PerRecipient does not match Recipients one to one.
var ErrRecipientValues = newError("recipient_values", "recipients",
	"Los valores por destinatario no corresponden a la lista de destinatarios.",
	"The per-recipient values do not match the list of recipients.")

func missingValue(name string) *Error {
	e := *ErrPlaceholderValueMissing
	e.spanish = fmt.Sprintf("Falta el valor de la columna «%s», que el texto usa como {{%s}}.", name, name)
	e.english = fmt.Sprintf("The column “%s”, which the text uses as {{%s}}, has no value for this recipient.", name, name)
	return &e
}

// knownPlaceholder reports whether name is a platform placeholder or a
// column of the submission's recipients file.
func (in *Submission) knownPlaceholder(name string) bool {
	if builtinPlaceholder(name) {
		return true
	}
	for _, v := range in.PerRecipient {
		if _, ok := v.Vars[name]; ok {
			return true
		}
	}
	return false
}

// unknownPlaceholder returns the first placeholder of text that is neither
// the platform's nor a column of the recipients file, or "".
func (in *Submission) unknownPlaceholder(text string) string {
	for _, name := range placeholdersIn(text) {
		if !in.knownPlaceholder(name) {
			return name
		}
	}
	return ""
}

// rowProblem says why the recipient at index i cannot receive the
// submission with his own values, or nil: a placeholder the texts use whose
// value his row lacks, or a reference of his own that is too long.
func (in *Submission) rowProblem(i int) *Error {
	if i >= len(in.PerRecipient) {
		return nil
	}
	v := in.PerRecipient[i]
	for _, name := range append(placeholdersIn(in.Subject), placeholdersIn(in.Body)...) {
		if builtinPlaceholder(name) {
			continue
		}
		if strings.TrimSpace(v.Vars[name]) == "" {
			return missingValue(name)
		}
	}
	switch {
	case utf8.RuneCountInString(v.Reference) > maxReference:
		return ErrReferenceTooLong
	case !oneLine(v.Reference):
		return withField(ErrTextInvalid, "reference")
	}
	return nil
}

// ValueProblems lists, row by row, the recipients Deposit will refuse for
// their own values (a placeholder's value missing in their row, a reference
// too long), so the preview can show them before anything is sent.
func ValueProblems(in *Submission) []Refused {
	var out []Refused
	for i := range in.PerRecipient {
		if e := in.rowProblem(i); e != nil && i < len(in.Recipients) {
			out = append(out, Refused{Position: i + 1, Recipient: in.Recipients[i], Err: e})
		}
	}
	return out
}

// Rendered is a submission's subject, reference and body as one recipient
// will read them.
type Rendered struct {
	NUI       nui.NUI
	Subject   string
	Reference string
	Body      string // rich text source, placeholders replaced
}

// RenderFor expands the submission's texts for the recipient at index i of
// in.Recipients, with his names from his account when he has an active
// buzón (or none), for the preview.
func (s *Service) RenderFor(ctx context.Context, in *Submission, i int) (Rendered, error) {
	if i < 0 || i >= len(in.Recipients) {
		return Rendered{}, ErrNoRecipients
	}
	n, err := nui.Parse(strings.TrimSpace(in.Recipients[i]))
	if err != nil {
		return Rendered{}, ErrRecipientInvalid
	}
	reader := s.DB.Reader()
	inst, err := reader.InstitutionByID(ctx, in.InstitutionID)
	if err != nil {
		return Rendered{}, fmt.Errorf("render: %w", err)
	}
	var r store.Recipient
	if active, err := reader.ActiveRecipients(ctx, []string{n.String()}); err != nil {
		return Rendered{}, fmt.Errorf("render: %w", err)
	} else if len(active) == 1 {
		r = active[0]
	}
	vals := in.valuesFor(i, r, inst.Name, s.today())
	vals.NUI = n.String()
	out := Rendered{NUI: n, Reference: vals.Reference}
	if out.Subject, err = expand(in.Subject, vals); err != nil {
		return Rendered{}, err
	}
	if out.Body, err = expand(in.Body, vals); err != nil {
		return Rendered{}, err
	}
	return out, nil
}

// valuesFor gathers the placeholder values of the recipient at index i.
func (in *Submission) valuesFor(i int, r store.Recipient, institution string, today calendar.Date) placeholderValues {
	v := placeholderValues{GivenNames: r.GivenNames, Surnames: r.Surnames, NUI: r.NUI, Institution: institution,
		Expediente: in.Expediente, Reference: in.Reference, Date: today}
	if i < len(in.PerRecipient) {
		if ref := in.PerRecipient[i].Reference; ref != "" {
			v.Reference = ref
		}
		v.Vars = in.PerRecipient[i].Vars
	}
	return v
}

// wellFormed reports whether every placeholder of text has a name a file's
// column can have: lower-case letters, digits and underscores.
func wellFormed(text string) bool {
	for _, name := range placeholdersIn(text) {
		if name == "" {
			return false
		}
		for _, c := range name {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}
