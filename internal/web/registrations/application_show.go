package registrations

import (
	"errors"
	"net/http"
	"time"

	"buzon/internal/esign"
	"buzon/internal/registration"
)

// applicationPage is the application in progress, at its current step.
type applicationPage struct {
	base
	App  *registration.Application
	Form *form
	// Step is the number of the current step, of Steps.
	Step, Steps int
	MaxUploadMB int64
	// Attempts are the earlier uploads, newest first.
	Attempts []attemptRow
	// Verified is the accepted verification, at the password step.
	Verified *esign.Report
	// Sent is true right after a new code was sent.
	Sent bool
	// Files is empty: the applicant's page links no reports.
	Files string
}

// attemptRow is one verification as the pages list it.
type attemptRow struct {
	ID       string
	At       time.Time
	Accepted bool
	Step     string
	Code     string
	Message  string
	// StepLabel names the failing step for people.
	StepLabel string
}

// stepKeys name the verification steps for people.
var stepKeys = map[string]string{
	esign.StepPDF:                "registrations.step.pdf",
	esign.StepIssued:             "registrations.step.issued",
	esign.StepSignature:          "registrations.step.signature",
	esign.StepCertificate:        "registrations.step.certificate",
	esign.StepRevocation:         "registrations.step.revocation",
	esign.StepCedula:             "registrations.step.cedula",
	registration.StepEligibility: "registrations.step.eligibility",
}

func (h *handler) attemptRows(r *http.Request, attempts []registration.Attempt, newestFirst bool) []attemptRow {
	rows := make([]attemptRow, 0, len(attempts))
	for _, a := range attempts {
		row := attemptRow{ID: a.ID, At: a.At, Accepted: a.Accepted, Step: a.Step, Code: a.Code}
		if !a.Accepted {
			row.Message = h.message(r, a.Code)
			if key, ok := stepKeys[a.Step]; ok {
				row.StepLabel = h.views.T(r, key)
			}
		}
		rows = append(rows, row)
	}
	if newestFirst {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	return rows
}

// renderApplication shows the application this browser holds at its current
// step, with f's refusals (status 422 when there are any). Without an
// application it goes back to the first page.
func (h *handler) renderApplication(w http.ResponseWriter, r *http.Request, f *form, sent bool) {
	ref, ok := h.ref(r)
	if !ok {
		redirect(w, r, "/registro")
		return
	}
	a, err := h.svc.Application(r.Context(), ref)
	if errors.Is(err, registration.ErrNotFound) {
		h.forget(w)
		redirect(w, r, "/registro")
		return
	}
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	d := applicationPage{base: h.base(r), App: a, Form: f, Steps: 4, MaxUploadMB: h.svc.MaxUpload() >> 20, Sent: sent,
		Attempts: h.attemptRows(r, a.Attempts, true)}
	switch a.State {
	case registration.StateEmailPending:
		d.Step = 2
	case registration.StateAwaitingSignature:
		d.Step = 3
	case registration.StateVerified, registration.StateActivated:
		d.Step = 4
		for _, at := range a.Attempts {
			if at.Accepted {
				d.Verified = at.Report
			}
		}
	}
	status := http.StatusOK
	if f.Failed() {
		status = http.StatusUnprocessableEntity
	}
	h.views.RenderStatus(w, r, status, "application", d)
}

// applicationShow shows the application in progress.
func (h *handler) applicationShow(w http.ResponseWriter, r *http.Request) {
	h.renderApplication(w, r, emptyForm(), r.URL.Query().Get("enviado") == "1")
}
