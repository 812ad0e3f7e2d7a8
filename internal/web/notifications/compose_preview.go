package notifications

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"buzon/internal/notification"
	"buzon/internal/richtext"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

type refusalView struct {
	Line   string
	Value  string
	Reason string
}

type previewPage struct {
	chrome
	Institution string
	Draft       string
	In          *notification.Submission
	Body        template.HTML
	Category    string
	Deadline    string
	Due         string
	Attachments []attachmentView
	Ready       int
	Refused     []refusalView
	File        string
}

// composePreview shows a draft as it will be sent and, row by row, which
// recipients will receive it and which will not and why, before anything
// is sent.
func (h *handler) composePreview(w http.ResponseWriter, r *http.Request) {
	inst, id := r.PathValue("inst"), r.PathValue("draft")
	p := session.Principal(r)
	in, info, err := h.svc.Draft(r.Context(), p, inst, id)
	switch {
	case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	check, err := h.svc.CheckRecipients(r.Context(), p, inst, in.Recipients)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	data := previewPage{chrome: h.chrome(r), Institution: inst, Draft: id, In: in, Body: richtext.Render(in.Body),
		Category: category(r, in.Category), Ready: len(check.Ready), File: info.File}
	if in.Deadline.Kind != 0 {
		data.Deadline = in.Deadline.Format(i18n.Lang(r))
		if cal, err := h.svc.Calendar(r.Context()); err == nil {
			if due, ok := cal.Due(h.svc.Time(), in.Deadline); ok {
				data.Due = day(r, due)
			}
		}
	}
	for _, a := range in.Attachments {
		data.Attachments = append(data.Attachments, attachmentView{Name: a.Filename, Type: a.Type.Label,
			Size: notification.SizeLabel(a.Size), SHA256: a.SHA256})
	}
	type row struct {
		line int
		v    refusalView
	}
	var rows []row
	for _, pr := range info.Problems {
		reason := pr.Spanish
		if english(r) {
			reason = pr.English
		}
		rows = append(rows, row{pr.Line, refusalView{Line: strconv.Itoa(pr.Line), Value: pr.Value, Reason: reason}})
	}
	for _, rf := range check.Refused {
		line := rf.Position
		if rf.Position-1 < len(info.Lines) {
			line = info.Lines[rf.Position-1]
		}
		rows = append(rows, row{line, refusalView{Line: strconv.Itoa(line), Value: rf.Recipient, Reason: message(r, rf.Err)}})
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].line < rows[j-1].line; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	for _, x := range rows {
		data.Refused = append(data.Refused, x.v)
	}
	h.views.Render(w, r, "compose_preview", data)
}
